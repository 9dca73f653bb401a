//! Solved lessons, remembered in a database of their own (so a reset or an
//! import of the lab keeps them).

use snaplab_engine::store::Batch;

use crate::storage::IdbStore;

/// Where solved lessons are remembered.
pub const PROGRESS_DB: &str = "snaplab-progress";

pub async fn load_solved() -> Vec<String> {
    let Ok(db) = IdbStore::open(PROGRESS_DB).await else {
        return vec![];
    };
    let solved = db
        .load()
        .await
        .map(|r| {
            r.into_keys()
                .filter_map(|k| k.strip_prefix("solved/").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    db.close();
    solved
}

pub async fn remember_solved(id: String) {
    if let Ok(db) = IdbStore::open(PROGRESS_DB).await {
        let _ = db
            .commit(
                &Batch {
                    puts: vec![(format!("solved/{id}"), b"1".to_vec().into())],
                    deletes: vec![],
                    strict: true,
                },
                None,
            )
            .await;
        db.close();
    }
}
