//! `snaplab serve`: the lab as a local Azure endpoint (issue 22), so the
//! real Azure SDKs can manage its disks and snapshots. One HTTP/1.1
//! server (axum on tokio) on 127.0.0.1 over the same engine, the same lab
//! file (locked for the whole serve) and the same REST model as
//! `snaplab run`.
//!
//! | concept | file |
//! |---|---|
//! | start-up, the banner, the HTTP front (concurrent requests, one lab mutex), `/snaplab/run`, Ctrl+C (native only) | `http.rs` |
//! | the served lab: its file or memory, commit + save per change, the clock, operations | `lab.rs` |
//! | the management plane: ARM's routes, api-version, long-running operations, 501 (also in the wasm build: the console's request view runs it) | `arm.rs` |
//! | request bodies read into the engine's commands | `body.rs` |
//! | the data plane of the SAS URLs: HEAD, ranged GET, Get Page Ranges and its diff, Put Page while uploading | `blob.rs` |
//! | the development storage account: containers, page blobs, snapshots, Shared Key and SAS | `storage/` |
//! | a minimal HTTP client (`snaplab run --server`, the tests) | `client.rs` |

pub mod arm;
#[cfg(not(target_arch = "wasm32"))]
mod blob;
pub(crate) mod body;
#[cfg(not(target_arch = "wasm32"))]
pub mod client;
mod deployments;
#[cfg(not(target_arch = "wasm32"))]
mod http;
pub mod lab;
#[cfg(not(target_arch = "wasm32"))]
pub mod storage;

pub use arm::{Reply, Request, OLDEST_API_VERSION};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use http::{parse_query, percent_decode};
#[cfg(not(target_arch = "wasm32"))]
pub use http::{serve, served_at, served_marker, Options};
pub use lab::{Clock, Served};
