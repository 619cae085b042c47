//! A dashboard's bar chart, drawn as SVG on the server (no script needed to see it) with the
//! same figures in a table beneath it, behind a disclosure that screen readers and keyboard
//! users open like any other.

use leptos::prelude::*;
use simdesk_types::{Chart, Regional};

use crate::components::{CARD, TABLE, TD, TH};
use crate::i18n::td_string;
use crate::language::{use_lang, Lang};

/// The drawing's coordinate space; the SVG scales to the card's width.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 30.0;
/// Longer bar labels are shortened in the drawing; the table has them whole.
const LABEL_CHARS: usize = 12;

/// Fills of the series, in order (literal class names, so Tailwind keeps them).
const SERIES_FILLS: [&str; 4] = [
    "fill-teal-600",
    "fill-sky-500",
    "fill-emerald-700",
    "fill-rose-500",
];
const SERIES_SWATCHES: [&str; 4] = ["bg-teal-600", "bg-sky-500", "bg-emerald-700", "bg-rose-500"];
const FLAGGED_FILL: &str = "fill-amber-500";

/// The smallest round number (1, 2, 2.5 or 5 times a power of ten) at or above `value`.
fn axis_max(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let magnitude = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|candidate| *candidate >= value)
        .unwrap_or(10.0 * magnitude)
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let head: String = label.chars().take(LABEL_CHARS - 1).collect();
        format!("{head}…")
    }
}

#[component]
pub fn BarChart(chart: Chart, regional: Regional) -> impl IntoView {
    let lang = use_lang();
    let title_id = format!("chart-{}-title", chart.key);
    let summary_id = format!("chart-{}-summary", chart.key);
    let largest = chart
        .bars
        .iter()
        .map(|bar| bar.total())
        .chain(chart.threshold)
        .fold(0.0, f64::max);
    let top = axis_max(largest);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y_of = move |value: f64| TOP + plot_height * (1.0 - value / top);
    let band = plot_width / chart.bars.len().max(1) as f64;
    let bar_width = (band * 0.6).min(48.0);

    // A middle line only where it falls on a value the chart writes out (not 2.5 orders).
    let middle = top / 2.0;
    let middle = (chart.decimals > 0 || middle.fract() == 0.0).then_some(middle);
    let gridlines = [Some(0.0), middle, Some(top)]
        .into_iter()
        .flatten()
        .map(|value| {
            let y = y_of(value);
            view! {
                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y class="stroke-slate-200" stroke-width="1" />
                <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end" font-size="11" class="fill-slate-500">
                    {chart.format(value, &regional)}
                </text>
            }
        })
        .collect_view();

    let single_series = chart.series.len() == 1;
    let bars = chart
        .bars
        .iter()
        .enumerate()
        .map(|(index, bar)| {
            let x = LEFT + band * index as f64 + (band - bar_width) / 2.0;
            let mut base = 0.0;
            let segments = bar
                .values
                .iter()
                .enumerate()
                .filter(|(_, value)| **value > 0.0)
                .map(|(series, value)| {
                    let y_top = y_of(base + value);
                    let height = y_of(base) - y_top;
                    base += value;
                    let fill = if bar.flagged && single_series {
                        FLAGGED_FILL
                    } else {
                        SERIES_FILLS[series % SERIES_FILLS.len()]
                    };
                    let name = chart.series.get(series).map(|s| s.name.as_str()).unwrap_or_default();
                    let tip = format!("{}, {name}: {} {}", bar.label, chart.format(*value, &regional), chart.unit);
                    view! {
                        <rect x=x y=y_top width=bar_width height=height class=fill>
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view();
            view! {
                {segments}
                <text x=x + bar_width / 2.0 y=HEIGHT - BOTTOM + 16.0 text-anchor="middle" font-size="11" class="fill-slate-600">
                    {shorten(&bar.label)}
                </text>
            }
        })
        .collect_view();

    let threshold = chart.threshold.map(|level| {
        let y = y_of(level);
        view! {
            <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y class="stroke-amber-600" stroke-width="1.5" stroke-dasharray="6 4" />
        }
    });

    let legend = chart
        .series
        .iter()
        .enumerate()
        .map(|(index, series)| {
            let swatch = format!("inline-block h-3 w-3 rounded-sm {}", SERIES_SWATCHES[index % SERIES_SWATCHES.len()]);
            let name = series.name.clone();
            view! {
                <li class="flex items-center gap-1.5">
                    <span class=swatch aria-hidden="true"></span>
                    {match series.href.clone() {
                        Some(href) => view! { <a href=href class="text-teal-800 underline-offset-2 hover:underline">{name}</a> }.into_any(),
                        None => view! { <span>{name}</span> }.into_any(),
                    }}
                </li>
            }
        })
        .collect_view();
    let any_flagged = chart.bars.iter().any(|bar| bar.flagged);
    let threshold_legend = chart.threshold.map(|level| {
        view! {
            <li class="flex items-center gap-1.5">
                <span class="inline-block h-0 w-4 border-t-2 border-dashed border-amber-600" aria-hidden="true"></span>
                <span>{format!("{} {}", td_string!(lang, dashboard.low_stock_below), chart.format(level, &regional))}</span>
            </li>
            {any_flagged.then(|| view! {
                <li class="flex items-center gap-1.5">
                    <span class="inline-block h-3 w-3 rounded-sm bg-amber-700" aria-hidden="true"></span>
                    <span>{td_string!(lang, dashboard.below_threshold)}</span>
                </li>
            })}
        }
    });

    let figures = figures(&chart, &regional, lang);
    let empty = chart.bars.is_empty();
    view! {
        <figure class=CARD aria-labelledby=title_id.clone() data-testid=format!("chart-{}", chart.key)>
            <figcaption>
                <h2 id=title_id.clone() class="text-lg font-semibold">
                    <a href=chart.href.clone() class="text-slate-900 underline-offset-2 hover:underline">{chart.title.clone()}</a>
                </h2>
                <p id=summary_id.clone() class="mt-1 text-sm text-slate-600">{chart.summary.clone()}</p>
            </figcaption>
            {chart.warning.clone().map(|warning| view! {
                <p class="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="chart-warning">{warning}</p>
            })}
            {if empty {
                view! { <p class="mt-4 text-sm text-slate-500">{td_string!(lang, dashboard.nothing_yet)}</p> }.into_any()
            } else {
                view! {
                    <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") class="mt-4 h-auto w-full" role="img" aria-labelledby=format!("{title_id} {summary_id}")>
                        {gridlines}
                        {threshold}
                        {bars}
                    </svg>
                    <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">{legend}{threshold_legend}</ul>
                }.into_any()
            }}
            {figures}
        </figure>
    }
    .into_any()
}

/// The chart's figures as a table behind a disclosure: what screen readers and keyboard users read.
/// Its own view, so the type of the whole card stays within the compiler's limits.
fn figures(chart: &Chart, regional: &Regional, lang: Lang) -> AnyView {
    let multi_series = chart.series.len() > 1;
    let header_cells = chart
        .series
        .iter()
        .map(|series| view! { <th scope="col" class=format!("{TH} text-right")>{series.name.clone()}</th> })
        .collect_view();
    let rows = chart
        .bars
        .iter()
        .map(|bar| {
            let label = match bar.href.clone() {
                Some(href) => view! { <a href=href class="font-medium text-teal-800 underline-offset-2 hover:underline">{bar.label.clone()}</a> }.into_any(),
                None => view! { <span>{bar.label.clone()}</span> }.into_any(),
            };
            let cells = bar
                .values
                .iter()
                .map(|value| view! { <td class=format!("{TD} text-right tabular-nums")>{chart.format(*value, regional)}</td> })
                .collect_view();
            let total = multi_series.then(|| view! { <td class=format!("{TD} text-right font-medium tabular-nums")>{chart.format(bar.total(), regional)}</td> });
            let flag = bar.flagged.then(|| view! { <span class="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-300">{td_string!(lang, dashboard.low)}</span> });
            view! {
                <tr data-testid="chart-row">
                    <th scope="row" class=format!("{TD} font-normal")>{label}{flag}</th>
                    {cells}
                    {total}
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <details class="mt-3 text-sm">
            <summary class="cursor-pointer font-medium text-teal-800">
                {format!("{} ({})", td_string!(lang, dashboard.figures), chart.unit)}<span class="sr-only">{format!(" {} {}", td_string!(lang, dashboard.figures_of), chart.title)}</span>
            </summary>
            <div class="mt-2 overflow-x-auto">
                <table class=TABLE>
                    <thead class="bg-slate-50">
                        <tr>
                            <th scope="col" class=TH><span class="sr-only">{td_string!(lang, dashboard.period_or_item)}</span></th>
                            {header_cells}
                            {multi_series.then(|| view! { <th scope="col" class=format!("{TH} text-right")>{td_string!(lang, dashboard.total)}</th> })}
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">{rows}</tbody>
                </table>
            </div>
        </details>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ends_on_a_round_number() {
        assert_eq!(axis_max(0.0), 1.0);
        assert_eq!(axis_max(7.0), 10.0);
        assert_eq!(axis_max(12.0), 20.0);
        assert_eq!(axis_max(180.0), 200.0);
        assert_eq!(axis_max(220.0), 250.0);
        assert_eq!(axis_max(100.0), 100.0);
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(shorten("Nano SIM"), "Nano SIM");
        assert_eq!(shorten("Industrial IoT SIM, nano"), "Industrial …");
    }
}
