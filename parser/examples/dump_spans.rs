//! Debug aid: print the raw PDF spans of a page.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report
use pdfboss_core::Document;
use pdfboss_text::{extract_spans, ReadingOrder};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let doc = Document::load(std::fs::read(&args[1]).expect("read")).expect("pdf");
    let page_no: usize = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let page = doc.page(page_no).expect("page");
    for s in extract_spans(&doc, &page, ReadingOrder::Content).expect("spans") {
        println!(
            "x{:7.1}-{:7.1} y{:7.1} s{:5.1} b{} w{:?} {:30} {:?}",
            s.x, s.end_x, s.y, s.size, s.bold as u8, s.font_weight, s.font_name, s.text
        );
    }
}
