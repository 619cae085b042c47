#![no_main]
//! Feeds arbitrary bytes to the cXML reader; any panic is a bug.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = cxml::parse(data) {
        // Whatever was understood must serialize without panicking.
        let _ = doc.to_xml();
        let _ = doc.to_json();
    }
    let _ = cxml::check(data);
});
