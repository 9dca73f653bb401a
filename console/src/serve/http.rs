//! The HTTP front of `snaplab serve` (native only): start-up and its
//! banner, the served lab's marker file, concurrent requests onto one lab
//! mutex, the `/snaplab/run` route, Ctrl+C.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use snaplab_engine::Lab;

use super::lab::{Clock, Served, Store, IO};
use super::{arm, blob, storage, Reply, Request};

use crate::labfile::{self, OpenLab, Wait};

/// What `snaplab serve` was asked for.
pub struct Options {
    /// 0: any free port.
    pub port: u16,
    pub state: Option<PathBuf>,
    pub wait: Wait,
    pub wall_clock: bool,
}

/// The file beside a served lab that names the server's address, so a
/// `snaplab run --state` on the lab can say where to send its script.
/// Read only while the lab's lock is held by someone: a marker left by a
/// killed server is never believed on its own.
pub fn served_marker(lab: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(lab.file_name().unwrap_or_else(|| "lab".as_ref()));
    name.push(".snaplab-serve");
    lab.with_file_name(name)
}

/// The address of the server a marker names, if there is one.
pub fn served_at(lab: &Path) -> Option<String> {
    let text = std::fs::read_to_string(served_marker(lab)).ok()?;
    let url = text.trim();
    url.starts_with("http://127.0.0.1:")
        .then(|| url.to_string())
}

struct App {
    host: Mutex<Host>,
    base: String,
}

/// What one request may touch: the lab, and the storage account (a Put
/// Page From URL reads the lab's SAS URLs into a blob).
struct Host {
    served: Served,
    storage: storage::Storage,
}

/// Runs the server until Ctrl+C (or SIGTERM). Every change was saved
/// before its answer, so stopping loses nothing committed.
pub fn serve(options: Options) -> Result<(), String> {
    let store = match &options.state {
        Some(path) => {
            let real = labfile::resolve_for_writing(path)?;
            let open = OpenLab::open(&IO, &real, options.wait, || {
                eprintln!(
                    "snaplab: {} is in use by a snaplab run; waiting for it to finish",
                    path.display()
                );
            })?;
            for warning in &open.warnings {
                eprintln!("{warning}");
            }
            Store::File(Box::new(open))
        }
        None => Store::Memory(Box::new(Lab::new())),
    };
    let clock = if options.wall_clock {
        Clock::Wall(std::time::Instant::now())
    } else {
        Clock::Manual
    };
    let served = Served::new(store, clock);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the server's runtime: {e}"))?;
    runtime.block_on(run(served, options.port))
}

async fn run(served: Served, port: u16) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("listening on 127.0.0.1:{port}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("reading the port listened on: {e}"))?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let lab_path = served.path();
    if let Some(path) = &lab_path {
        std::fs::write(served_marker(path), format!("{base}\n"))
            .map_err(|e| format!("writing {}: {e}", served_marker(path).display()))?;
    }
    println!("ARM endpoint: {base}");
    println!(
        "Blob connection string: {}",
        storage::connection_string(&base)
    );
    println!("{}", served.kept());
    println!(
        "Clock: {}",
        match served.clock {
            Clock::Wall(_) => "wall (the lab's clock follows real time)",
            Clock::Manual =>
                "manual (moves only with `sim clock advance`, e.g. through POST /snaplab/run)",
        }
    );
    println!(
        "Scripts: POST {base}/snaplab/run (text/plain), or snaplab run --server {base} SCRIPT"
    );
    println!("Stop: Ctrl+C");
    use std::io::Write;
    let _ = std::io::stdout().flush();

    let app = Arc::new(App {
        host: Mutex::new(Host {
            served,
            storage: storage::Storage::default(),
        }),
        base,
    });
    // Put Page takes up to 4 MiB; a little more gets through so the blob
    // route can answer Storage's own RequestBodyTooLarge.
    let router = axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(
            blob::MAX_PUT_PAGE as usize + 4096,
        ))
        .with_state(app.clone());
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(stop_signal())
        .await;
    if let Some(path) = &lab_path {
        let _ = std::fs::remove_file(served_marker(path));
    }
    served.map_err(|e| format!("serving: {e}"))?;
    // The lab (and its lock) goes with the last reference to it.
    drop(app);
    match lab_path {
        Some(path) => println!(
            "stopped: every answered change is saved in {}",
            path.display()
        ),
        None => println!("stopped (the lab was in memory only)"),
    }
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Every request: read off the async threads (the lab's commands and the
/// file's saves block), one at a time on the lab.
async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let work = tokio::task::spawn_blocking(move || {
        let query = uri.query().map(parse_query).unwrap_or_default();
        let headers = headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let request = Request {
            method: method.as_str(),
            path: uri.path(),
            query,
            headers,
            body: &body,
            base: &app.base,
        };
        match app.host.lock() {
            Ok(mut host) => dispatch(&mut host, &request),
            Err(_) => Reply::error(500, "InternalServerError", "An earlier request failed inside the server; the lab was left as its last save has it. Restart snaplab serve."),
        }
    });
    let reply = work.await.unwrap_or_else(|_| {
        Reply::error(
            500,
            "InternalServerError",
            "The request failed inside the server.",
        )
    });
    into_response(reply)
}

/// The largest management-plane body (a resource's JSON is far smaller);
/// only Put Page takes more.
const ARM_MAX_BODY: usize = 2 << 20;

fn dispatch(host: &mut Host, req: &Request) -> Reply {
    if storage::is_storage(req.path) {
        let Host { served, storage } = host;
        return storage.route(served, req, std::time::SystemTime::now());
    }
    let served = &mut host.served;
    if req
        .path
        .trim_end_matches('/')
        .eq_ignore_ascii_case("/snaplab/run")
    {
        if req.method != "POST" {
            return Reply::error(
                405,
                "MethodNotAllowed",
                "/snaplab/run takes POST with a console script as a text/plain body.",
            );
        }
        return run_script(served, req.body);
    }
    if !blob::is_data_plane(req.path) && req.body.len() > ARM_MAX_BODY {
        return Reply::error(
            413,
            "RequestEntityTooLarge",
            &format!("The request body is {} bytes: snaplab serve takes at most {ARM_MAX_BODY} bytes (2 MiB) in a management request.", req.body.len()),
        );
    }
    if blob::is_data_plane(req.path) {
        if let Err(e) = served.follow_wall_clock() {
            return Reply::refused(&e);
        }
        return blob::route_mut(served, req);
    }
    arm::route(served, req)
}

/// `POST /snaplab/run`: a console script (az, sim, bash) on the served
/// lab; its output, 200 if it exited 0, else 422 with the exit status in
/// `x-snaplab-exit-status`.
fn run_script(served: &mut Served, body: &[u8]) -> Reply {
    let Ok(script) = std::str::from_utf8(body) else {
        return Reply::error(
            400,
            "InvalidRequestContent",
            "The script is not UTF-8 text.",
        );
    };
    if let Err(e) = served.follow_wall_clock() {
        return Reply::refused(&e);
    }
    match served.run_script(script) {
        Ok((output, status)) => Reply {
            status: if status == 0 { 200 } else { 422 },
            headers: vec![("x-snaplab-exit-status", status.to_string())],
            body: Some(("text/plain; charset=utf-8", output.into_bytes())),
        },
        Err(e) => Reply::refused(&e),
    }
}

/// `a=b&c=d`, percent-decoded (`+` stays `+`, as ARM's query values are
/// dates and names).
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn into_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match reply.body {
        Some((kind, bytes)) => {
            let mut r = (status, bytes).into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static(kind));
            r
        }
        None => status.into_response(),
    };
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    // ARM sends one on every answer; the SDKs log it.
    response.headers_mut().insert(
        "x-ms-request-id",
        HeaderValue::from_static("00000000-0000-0000-0000-5a0b1ab7e9a7"),
    );
    response
}
