//! A stand-in for an OpenAI-compatible provider (Ollama, llama.cpp, vLLM),
//! for the end-to-end tests of the optional language-model drafts.
//!
//! `fake-llm MODE` listens on a free loopback port, prints
//! `fake-llm listening on http://ADDR`, and answers every
//! `POST …/chat/completions` the way MODE says:
//! - `faithful`: rewrites the first highlight and drafts letters using only
//!   facts of the test resume (tests/fixtures/resume.json);
//! - `invent`: the same shapes, but naming a skill, an employer and a year
//!   the resume does not have;
//! - `slow`: answers after 30 s (longer than any test's provider timeout);
//! - `error`: HTTP 500;
//! - `garbage`: HTTP 200 whose message holds no JSON.
//!
//! It is a real process on a real socket, so the server's client, timeout
//! and error handling are exercised as in production. It speaks just enough
//! HTTP/1.1 for one request per connection.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "faithful".into());
    if !["faithful", "invent", "slow", "error", "garbage"].contains(&mode.as_str()) {
        eprintln!("fake-llm: unknown mode {mode:?}");
        std::process::exit(2);
    }
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("fake-llm listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let mode = mode.clone();
        tokio::spawn(async move {
            let _ = answer(stream, &mode).await;
        });
    }
}

/// Read one request (headers and a Content-Length body) and answer it.
async fn answer(mut stream: TcpStream, mode: &str) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let (status, body) = match mode {
        "error" => (500, json!({"error": "model not loaded"}).to_string()),
        "garbage" => (200, completion("I am sorry, I cannot help with that.")),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            (200, completion("{}"))
        }
        "invent" => (
            200,
            completion(
                &json!({
                    "highlights": [{"path": "/work/0/highlights/0",
                        "text": "Cut p99 ingest latency from 800 ms to 90 ms with Terraform"}],
                    "cover_letter": "At Google in 1999 I led the Terraform migration.",
                    "outreach_message": "Hello! I build streaming services in Rust."
                })
                .to_string(),
            ),
        ),
        _ => (
            200,
            completion(&format!(
                "Here you go:\n```json\n{}\n```",
                json!({
                    "highlights": [{"path": "/work/0/highlights/0",
                        "text": "Cut p99 ingest latency from 800 ms to 90 ms in Rust"}],
                    "cover_letter": "At Nordlys Systems AB I lead the event-streaming platform team and build services in Rust and PostgreSQL.",
                    "outreach_message": "Hello! I build reliable streaming services in Rust."
                })
            )),
        ),
    };
    let reason = if status == 200 {
        "OK"
    } else {
        "Internal Server Error"
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn completion(content: &str) -> String {
    json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": content}}]
    })
    .to_string()
}
