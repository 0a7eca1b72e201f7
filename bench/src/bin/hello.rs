//! `vitae-bench-hello`: the machine's limit for the read benchmarks.
//!
//! A bare hyper HTTP/1.1 server built the way `vitae-server` builds its
//! connections (multi-threaded tokio runtime with one worker per core,
//! `TCP_NODELAY`, a header-read timer), answering every request with a fixed
//! 13-byte body and nothing else: no routing, no auth, no store, no logging.
//! Whatever `vitae-server` reaches on the same machine, under the same load
//! generator, is reported as a fraction of what this one reaches.
//!
//! It binds `--addr` (default `127.0.0.1:0`) and prints the bound address on
//! its first stdout line, like `vitae-server serve`.

use std::convert::Infallible;
use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--addr")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(&addr))
}

async fn serve(addr: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{}", listener.local_addr()?)?;
        out.flush()?;
    }
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let service = service_fn(|_req: Request<hyper::body::Incoming>| async {
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                b"Hello, world!",
            ))))
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
