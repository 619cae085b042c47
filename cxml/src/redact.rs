//! Removing secrets from raw documents before they are stored or logged.

/// The document text with the content of every `<SharedSecret>` element (any letter case)
/// replaced by `***`. Works on the raw text, so it also cleans documents that failed to parse.
pub fn redact_shared_secrets(text: &str) -> String {
    const OPEN: &str = "<sharedsecret";
    const CLOSE: &str = "</sharedsecret";
    // ASCII lowercasing keeps byte offsets, so positions found in `lower` index `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find(OPEN) {
        let start = rest + found;
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        out.push_str(&text[rest..tag_end]);
        if lower[start..tag_end].ends_with("/>") {
            rest = tag_end;
            continue;
        }
        out.push_str("***");
        match lower[tag_end..].find(CLOSE) {
            Some(i) => rest = tag_end + i,
            None => return out,
        }
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_shared_secrets;

    #[test]
    fn secrets_disappear_whatever_the_case() {
        let doc = "<Sender><Credential domain=\"x\"><Identity>a</Identity>\
                   <SharedSecret>abc123</SharedSecret></Credential>\
                   <sharedsecret >two</sharedsecret></Sender>";
        let clean = redact_shared_secrets(doc);
        assert!(!clean.contains("abc123") && !clean.contains("two"));
        assert_eq!(clean.matches("***").count(), 2);
        assert!(clean.contains("<Identity>a</Identity>"));
    }

    #[test]
    fn unterminated_and_empty_elements_leak_nothing() {
        assert_eq!(
            redact_shared_secrets("<SharedSecret>open"),
            "<SharedSecret>***"
        );
        assert_eq!(
            redact_shared_secrets("<SharedSecret/>x"),
            "<SharedSecret/>x"
        );
    }
}
