//! Debug aid: print the extracted lines of a file with their style hints.

#![allow(clippy::unwrap_used, clippy::expect_used)] // an example (a debug aid): a panic is the report

use vitae_parser::{extract, sniff, Budget};

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let format = sniff(&bytes, None, Some(&path)).expect("format");
        match extract::extract(&bytes, format, &Budget::default()) {
            Ok(doc) => {
                println!("== {path} body={}", doc.body_size);
                for l in &doc.lines {
                    println!(
                        "{:>3} x{:>6.1} s{:>4.1} {}{}{}{}{}{} | {}",
                        l.page,
                        l.x,
                        l.size,
                        if l.bold { 'B' } else { '.' },
                        if l.heading > 0 {
                            char::from(b'0' + l.heading)
                        } else {
                            '.'
                        },
                        if l.bullet { '*' } else { '.' },
                        if l.block_start { '^' } else { '.' },
                        if l.rule_before { '_' } else { '.' },
                        if l.aside { 'a' } else { '.' },
                        l.text.replace('\t', " ⇥ ")
                    );
                }
            }
            Err(e) => println!("== {path}: {e}"),
        }
    }
}
