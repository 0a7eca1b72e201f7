//! Render one JSON Resume file: `render FILE TEMPLATE pdf|docx OUT [key=value…]`
//! (options as in `ExportRequest::from_query`); prints pages, warnings and
//! the time taken. For looking at a template by eye.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report

use std::time::Instant;

use vitae_export::{Engine, ExportRequest};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: render FILE TEMPLATE pdf|docx OUT [key=value...]");
        std::process::exit(2);
    }
    let run = || -> Result<(), String> {
        let text = std::fs::read_to_string(&args[0]).map_err(|e| e.to_string())?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let mut pairs = vec![("template", args[1].as_str()), ("format", args[2].as_str())];
        pairs.extend(args[4..].iter().filter_map(|a| a.split_once('=')));
        let req = ExportRequest::from_query(pairs).map_err(|e| e.to_string())?;
        let engine = Engine::new().map_err(|e| e.to_string())?;
        let started = Instant::now();
        let out = engine.render_value(&doc, &req).map_err(|e| e.to_string())?;
        let took = started.elapsed();
        std::fs::write(&args[3], &out.bytes).map_err(|e| e.to_string())?;
        println!(
            "{} pages, {} bytes, {:.1} ms",
            out.pages,
            out.bytes.len(),
            took.as_secs_f64() * 1e3
        );
        for w in &out.warnings {
            println!("warning: {w}");
        }
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("render: {e}");
        std::process::exit(1);
    }
}
