//! The API's OpenAPI 3.1 document, generated from the handlers and the documents they answer
//! with, and a reference page drawn from it on the server (no script, no external assets).

use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problem::{FieldProblem, Kind, Problem};
use super::{catalog, model, orders, resources};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "simdesk API",
        version = "1",
        description = "Purchase orders of SIM cards, the catalog and, for service providers, accounts, stock and the message trace. Every call sends `Authorization: Bearer <token>`; admins make tokens on the portal's API and webhooks page. A token acts as the admin who made it, narrowed by its scopes. Errors are `application/problem+json`."
    ),
    paths(
        resources::me,
        catalog::products,
        catalog::product,
        catalog::create_product,
        catalog::update_product,
        catalog::retire_product,
        catalog::reactivate_product,
        catalog::options,
        catalog::option,
        catalog::create_option,
        catalog::retire_option,
        catalog::reactivate_option,
        orders::list,
        orders::create,
        orders::read,
        orders::update,
        orders::step,
        orders::provision,
        orders::ship,
        orders::sims,
        resources::accounts,
        resources::stock,
        resources::messages,
        resources::alarms,
    ),
    components(schemas(
        Problem,
        FieldProblem,
        model::OrderUpdate,
        model::OrderInput,
        model::ProductInput
    )),
    modifiers(&BearerTokens, &CommonProblems),
    tags(
        (name = "token", description = "The calling token"),
        (name = "orders", description = "SIM purchase orders: list, read, raise and edit drafts, and every step of the workflow"),
        (name = "catalog", description = "The products and SIM settings a token may order, and for tenant tokens the catalog to manage"),
        (name = "provider", description = "The provider's view: accounts, SIM stock, messages and alarms (tenant tokens)"),
    )
)]
pub struct ApiDoc;

struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`sdk_…`). The scopes named on each operation are the token's scopes it needs.",
                    ))
                    .build(),
            ),
        );
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/")]);
    }
}

/// Every operation can answer with the problems every route shares (bad input, a missing or
/// weak token, too many requests, our faults); each is documented where the handler did not
/// name it.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    super::problem::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        let shared = [
            ("400", "The request could not be read"),
            ("401", "No valid API token"),
            (
                "403",
                "The token lacks the scope, or its maker the permission",
            ),
            ("404", "Not found, or not visible to this token"),
            ("429", "Over the token's rate; see Retry-After"),
            ("500", "A fault of ours"),
            ("503", "The service is unavailable for a moment"),
        ];
        let with_body = [
            (
                "409",
                "A conflict with the object's current state, or an idempotency key in use",
            ),
            ("415", "The body is not JSON"),
            ("422", "Invalid fields, or an idempotency key reused"),
        ];
        let acted = ResponseBuilder::new()
            .description("A retry whose first try made its change but lost its answer: the change is at Location")
            .header(
                "Location",
                utoipa::openapi::HeaderBuilder::new()
                    .schema(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String))
                    .build(),
            )
            .content("application/json", ContentBuilder::new().build())
            .build();
        for item in openapi.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut() {
                post.responses
                    .responses
                    .entry("303".to_owned())
                    .or_insert_with(|| acted.clone().into());
            }
            let reads = [&mut item.get];
            let writes = [&mut item.post, &mut item.put];
            for (operation, has_body) in reads
                .into_iter()
                .map(|o| (o, false))
                .chain(writes.into_iter().map(|o| (o, true)))
            {
                let Some(operation) = operation.as_mut() else {
                    continue;
                };
                let extra = if has_body { &with_body[..] } else { &[] };
                for (status, description) in shared.iter().chain(extra) {
                    operation
                        .responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| problem(description).into());
                }
            }
        }
    }
}

fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline code in backticks as `<code>`, the rest escaped.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code class=\"rounded bg-slate-100 px-1 font-mono text-sm\">{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// A schema's type in a word or two: `Order`, `array of Sim`, `string`, `integer or null`.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a class=\"text-blue-700 underline\" href=\"#schema-{name}\">{name}</a>");
    }
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(combined).and_then(Value::as_array) {
            return options.iter().map(type_of).collect::<Vec<_>>().join(" or ");
        }
    }
    match schema.get("type") {
        Some(Value::String(kind)) if kind == "array" => {
            format!(
                "array of {}",
                schema.get("items").map(type_of).unwrap_or_default()
            )
        }
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .map(|k| {
                if k == "array" {
                    format!(
                        "array of {}",
                        schema.get("items").map(type_of).unwrap_or_default()
                    )
                } else {
                    k.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".to_owned(),
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(html: &mut String, spec: &Value) {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or(method);
            let summary = op
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let description = op
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let scopes: Vec<String> = op
                .get("security")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.get("bearer").and_then(Value::as_array))
                .flatten()
                .filter_map(Value::as_str)
                .map(|s| format!("<code class=\"font-mono\">{}</code>", escape(s)))
                .collect();
            let _ = write!(
                html,
                "<section id=\"op-{id}\" class=\"mb-6 rounded-lg border border-slate-200 bg-white p-4 shadow-sm\" aria-labelledby=\"op-{id}-title\">\
                 <h3 id=\"op-{id}-title\" class=\"font-mono text-base font-semibold\"><span class=\"mr-2 rounded bg-slate-800 px-2 py-0.5 text-xs uppercase text-white\">{method}</span>{}</h3>\
                 <p class=\"mt-2\">{}</p>",
                escape(path),
                prose(summary)
            );
            if !description.is_empty() {
                let _ = write!(
                    html,
                    "<p class=\"mt-1 text-slate-600\">{}</p>",
                    prose(description)
                );
            }
            let _ = write!(
                html,
                "<p class=\"mt-2 text-sm text-slate-600\">Scope: {}</p>",
                if scopes.is_empty() {
                    "any token".to_owned()
                } else {
                    scopes.join(", ")
                }
            );
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                html.push_str("<h4 class=\"mt-3 text-sm font-semibold\">Parameters</h4><ul class=\"ml-5 list-disc text-sm\">");
                for p in params {
                    let _ = write!(
                        html,
                        "<li><code class=\"font-mono\">{}</code> ({}, {}{}) {}</li>",
                        escape(p.get("name").and_then(Value::as_str).unwrap_or_default()),
                        escape(p.get("in").and_then(Value::as_str).unwrap_or_default()),
                        p.get("schema").map(type_of).unwrap_or_default(),
                        if p.get("required").and_then(Value::as_bool) == Some(true) {
                            ", required"
                        } else {
                            ""
                        },
                        prose(
                            p.get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                        )
                    );
                }
                html.push_str("</ul>");
            }
            if let Some(body) = op.pointer("/requestBody/content/application~1json/schema") {
                let _ = write!(
                    html,
                    "<p class=\"mt-3 text-sm\"><span class=\"font-semibold\">Body:</span> {}</p>",
                    type_of(body)
                );
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                html.push_str("<h4 class=\"mt-3 text-sm font-semibold\">Answers</h4><ul class=\"ml-5 list-disc text-sm\">");
                for (status, response) in responses {
                    let body = response
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|c| c.get("schema"))
                        .map(type_of)
                        .unwrap_or_default();
                    let _ = write!(
                        html,
                        "<li><span class=\"font-mono\">{}</span> {} {}</li>",
                        escape(status),
                        prose(
                            response
                                .get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                        ),
                        body
                    );
                }
                html.push_str("</ul>");
            }
            html.push_str("</section>");
        }
    }
}

fn schemas(html: &mut String, spec: &Value) {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, schema) in schemas {
        let _ = write!(
            html,
            "<section id=\"schema-{name}\" class=\"mb-4 rounded-lg border border-slate-200 bg-white p-4\" aria-labelledby=\"schema-{name}-title\">\
             <h3 id=\"schema-{name}-title\" class=\"font-mono font-semibold\">{name}</h3>",
            name = escape(name)
        );
        if let Some(description) = schema.get("description").and_then(Value::as_str) {
            let _ = write!(
                html,
                "<p class=\"mt-1 text-slate-600\">{}</p>",
                prose(description)
            );
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut properties: Vec<(&String, &Value)> = Vec::new();
        if let Some(own) = schema.get("properties").and_then(Value::as_object) {
            properties.extend(own);
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(own) = part.get("properties").and_then(Value::as_object) {
                properties.extend(own);
            }
        }
        if !properties.is_empty() {
            html.push_str("<ul class=\"mt-2 ml-5 list-disc text-sm\">");
            for (field, property) in properties {
                let _ = write!(
                    html,
                    "<li><code class=\"font-mono\">{}</code> {}{} {}</li>",
                    escape(field),
                    type_of(property),
                    if required.contains(&field.as_str()) {
                        ", required"
                    } else {
                        ""
                    },
                    prose(
                        property
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    )
                );
            }
            html.push_str("</ul>");
        }
        html.push_str("</section>");
    }
}

/// `GET /api/v1/docs`: the reference, drawn from the OpenAPI document.
pub async fn reference(State(state): State<AppState>) -> Html<String> {
    let spec: Value = serde_json::from_str(document()).unwrap_or_default();
    let stylesheet = app::assets::stylesheet_href(&state.leptos_options);
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>simdesk API reference</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body class=\"bg-slate-50 text-slate-900\"><main class=\"mx-auto max-w-4xl p-6\">\
         <p class=\"text-sm\"><a class=\"text-blue-700 underline\" href=\"/\">Back to simdesk</a></p>\
         <h1 class=\"mt-2 text-2xl font-semibold\">simdesk API reference</h1>\
         <p class=\"mt-2\">{}</p>\
         <p class=\"mt-2\">The machine-readable document: <a class=\"text-blue-700 underline\" href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>\
         <h2 class=\"mt-6 text-xl font-semibold\">Conventions</h2><ul class=\"mt-2 ml-5 list-disc\">\
         <li>Send <code class=\"font-mono\">Authorization: Bearer &lt;token&gt;</code> with every call.</li>\
         <li>POSTs take an <code class=\"font-mono\">Idempotency-Key</code> header (1–255 visible characters; kept 24 hours): a retry with the same key and body gets the first answer again, marked <code class=\"font-mono\">Idempotent-Replayed: true</code>, and never acts twice. Should the first try have made its change and then lost its answer (an instance stopped), the retry gets <code class=\"font-mono\">303 See Other</code> with the changed object's <code class=\"font-mono\">Location</code>.</li>\
         <li>Changes send the <code class=\"font-mono\">version</code> they are based on; a stale one answers 409.</li>\
         <li>Lists are newest first or by name, page by page: pass <code class=\"font-mono\">next_cursor</code> as <code class=\"font-mono\">cursor</code>.</li>\
         <li>Every answer says the token's rate in <code class=\"font-mono\">RateLimit-Policy</code> and what is left in <code class=\"font-mono\">RateLimit</code>; over it, 429 with <code class=\"font-mono\">Retry-After</code>.</li>\
         </ul>\
         <h2 class=\"mt-6 text-xl font-semibold\">Operations</h2><div class=\"mt-3\">",
        prose(
            spec.pointer("/info/description")
                .and_then(Value::as_str)
                .unwrap_or_default()
        )
    );
    operations(&mut html, &spec);
    html.push_str("</div><h2 id=\"problems\" class=\"mt-6 text-xl font-semibold\">Problems</h2><p class=\"mt-2\">Errors are <code class=\"font-mono\">application/problem+json</code> (RFC 9457) whose <code class=\"font-mono\">type</code> links here.</p><dl class=\"mt-3\">");
    for kind in Kind::ALL {
        let _ = write!(
            html,
            "<dt id=\"problem-{slug}\" class=\"mt-3 font-semibold\"><span class=\"font-mono\">{status}</span> {title} <code class=\"font-mono text-sm text-slate-600\">#problem-{slug}</code></dt><dd class=\"ml-4 text-slate-700\">{text}</dd>",
            slug = kind.slug(),
            status = kind.status().as_u16(),
            title = escape(kind.title()),
            text = prose(kind.explanation())
        );
    }
    html.push_str(
        "</dl><h2 class=\"mt-6 text-xl font-semibold\">Documents</h2><div class=\"mt-3\">",
    );
    schemas(&mut html, &spec);
    html.push_str("</div></main></body></html>");
    Html(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_route() {
        let spec: Value = serde_json::from_str(document()).unwrap();
        assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
        for path in [
            "/api/v1/orders",
            "/api/v1/orders/{id}",
            "/api/v1/orders/{id}/{action}",
            "/api/v1/me",
        ] {
            assert!(spec["paths"].get(path).is_some(), "{path} is documented");
        }
        assert!(spec.pointer("/components/securitySchemes/bearer").is_some());
    }

    #[test]
    fn prose_escapes_and_marks_code() {
        assert_eq!(
            prose("a `b` <c>"),
            "a <code class=\"rounded bg-slate-100 px-1 font-mono text-sm\">b</code> &lt;c&gt;"
        );
    }
}
