//! Fuzz-style property tests for what comes from outside the engine: lab
//! files (`.snaplab`) and share links. Whatever the bytes, decoding never
//! panics, stays within bounded time, and either refuses (the caller keeps
//! its lab) or yields records that open as a lab.

use proptest::prelude::*;
use snaplab_engine::cmd::{self, Command, WriteData};
use snaplab_engine::share;
use snaplab_engine::state_file::FileSum;
use snaplab_engine::store::{self, Journal};

fn small_lab_log() -> Vec<Command> {
    vec![
        Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }),
        Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)),
        Command::Write(cmd::Write {
            group: "rg".into(),
            disk: "d".into(),
            offset: 0,
            data: WriteData::bytes(vec![9u8; 70_000]),
        }),
    ]
}

fn valid_export() -> Vec<u8> {
    let (records, _) = store::records_for(small_lab_log()).unwrap();
    store::export(&records)
}

/// Puts a correct checksum on `body` (the file minus its last 8 bytes), so
/// the fuzzer gets past the checksum to the parser behind it.
fn resealed(mut file: Vec<u8>) -> Vec<u8> {
    if file.len() < 8 {
        return file;
    }
    file.truncate(file.len() - 8);
    let sum = FileSum::of_format(store::EXPORT_FORMAT).of(&file);
    file.extend_from_slice(&sum.to_le_bytes());
    file
}

fn accepted_opens(file: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(records) = store::import(file) {
        prop_assert!(
            Journal::open(&records).is_ok(),
            "an accepted file must open"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_a_lab_file_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        accepted_opens(&bytes)?;
        accepted_opens(&resealed(bytes))?;
    }

    #[test]
    fn a_mutated_lab_file_with_a_valid_checksum_is_refused_or_opens(
        at in 0usize..200_000,
        flips in prop::collection::vec(any::<u8>(), 1..6),
        cut in prop::option::of(0usize..200_000),
    ) {
        let mut file = valid_export();
        let len = file.len() - 8;
        for (i, b) in flips.iter().enumerate() {
            let pos = (at + i * 31) % len;
            file[pos] ^= b | 1;
        }
        if let Some(cut) = cut {
            let keep = cut % file.len();
            file.truncate(keep.max(8));
        }
        accepted_opens(&resealed(file))?;
    }

    #[test]
    fn random_text_as_a_share_link_never_panics(text in "[ -~]{0,300}") {
        let _ = share::decode(&text);
        let _ = share::open(&format!("v1.{text}"));
    }

    #[test]
    fn a_mutated_log_in_a_link_with_a_valid_checksum_is_refused_or_opens(
        at in 0usize..2_000,
        insert in "[{}\\[\\]\":,a-zA-Z0-9 é-]{0,8}",
    ) {
        let json = serde_json::to_string(&small_lab_log()[..2]).unwrap();
        let mut chars: Vec<char> = json.chars().collect();
        let at = at.min(chars.len());
        chars.splice(at..at, insert.chars());
        let body: String = chars.into_iter().collect();
        if let Ok((records, journal)) = share::open(&share::wrap(body.as_bytes())) {
            let reopened = Journal::open(&records).unwrap().journal;
            prop_assert_eq!(reopened.lab().operations(), journal.lab().operations());
        }
    }
}
