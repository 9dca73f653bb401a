//! Share links: a small scenario travels in a URL as its operation log (no
//! page data), checksummed so a damaged or tampered link is refused with a
//! clear message instead of replaying something else. Larger labs go in a
//! scenario file (the export).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::checksum::stable_hash_bytes;
use crate::cmd::Command;
use crate::error::{EngineError, Result};

/// The version prefix of a share payload.
pub const PREFIX: &str = "v1.";
/// Links longer than this are refused: use a scenario file instead.
pub const MAX_LINK_BYTES: usize = 64 * 1024;

fn refused(why: &str) -> EngineError {
    EngineError::InvalidParameter {
        reason: format!("This share link cannot be opened: {why}. Your lab was not changed."),
    }
}

/// The payload for `#lab=…`: `v1.<checksum hex>.<base64url JSON of the log>`.
pub fn encode<'a>(log: impl IntoIterator<Item = &'a Command>) -> Result<String> {
    let commands: Vec<&Command> = log.into_iter().collect();
    let json = serde_json::to_vec(&commands).expect("commands serialise");
    let payload = wrap(&json);
    if payload.len() > MAX_LINK_BYTES {
        return Err(EngineError::InvalidParameter {
            reason: format!(
                "This lab is too large for a link ({} KiB): export it as a scenario file instead.",
                payload.len() / 1024
            ),
        });
    }
    Ok(payload)
}

/// A payload around any body, with its checksum: what [`encode`] makes of
/// a log. (The adversarial corpus crafts links with it; a checksum is no
/// proof that a link is harmless, only that it arrived as sent.)
pub fn wrap(body: &[u8]) -> String {
    format!(
        "{PREFIX}{:016x}.{}",
        stable_hash_bytes(body),
        URL_SAFE_NO_PAD.encode(body)
    )
}

/// The operation log a share payload carries. Only what a user's link can
/// hold is accepted: a link never carries the store's own references to
/// stored bytes (`stored` writes), which would name chunks it does not have.
pub fn decode(payload: &str) -> Result<Vec<Command>> {
    if payload.len() > MAX_LINK_BYTES {
        return Err(refused(&format!(
            "it is longer than a Snaplab link can be ({} KiB; larger labs travel as scenario files)",
            MAX_LINK_BYTES / 1024
        )));
    }
    let commands = decode_unchecked(payload)?;
    if commands.iter().any(|c| {
        matches!(
            c,
            Command::Write(crate::cmd::Write {
                data: crate::cmd::WriteData::Stored { .. },
                ..
            })
        )
    }) {
        return Err(refused(
            "it carries storage records that only Snaplab's own database writes",
        ));
    }
    Ok(commands)
}

/// A share link opened as a lab: decoded, replayed into the records to
/// store, and those records opened again exactly as the app will open them
/// after a reload, so a link that could not be opened later is refused now,
/// before anything is stored.
pub fn open(
    payload: &str,
) -> Result<(
    std::collections::BTreeMap<String, Vec<u8>>,
    crate::store::Journal,
)> {
    let log = decode(payload)?;
    let (records, journal) = crate::store::records_for(log)?;
    let reopened = crate::store::Journal::open(&records)
        .map_err(|e| refused(&format!("its lab would not open again ({e})")))?;
    if reopened.journal.lab().operations() != journal.lab().operations() {
        return Err(refused("its lab would not open again the same"));
    }
    Ok((records, journal))
}

fn decode_unchecked(payload: &str) -> Result<Vec<Command>> {
    let rest = payload
        .strip_prefix(PREFIX)
        .ok_or_else(|| refused("it is not a Snaplab share link (or is from a newer Snaplab)"))?;
    let (sum, body) = rest
        .split_once('.')
        .ok_or_else(|| refused("it is cut short"))?;
    let json = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| refused("it is damaged (not base64url)"))?;
    if format!("{:016x}", stable_hash_bytes(&json)) != sum {
        return Err(refused(
            "it was changed or damaged (its checksum does not match)",
        ));
    }
    serde_json::from_slice(&json)
        .map_err(|e| refused(&format!("its operations are unreadable ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd;
    use crate::lab::Lab;

    #[test]
    fn a_link_round_trips_the_log_and_a_tampered_one_is_refused() {
        let mut lab = Lab::new();
        lab.execute(Command::CreateGroup(cmd::CreateGroup {
            name: "rg".into(),
            location: "westeurope".into(),
        }))
        .unwrap();
        lab.execute(Command::CreateDisk(cmd::CreateDisk::premium("rg", "d", 4)))
            .unwrap();
        let link = encode(lab.log()).unwrap();
        assert!(link.starts_with("v1."));
        let log = decode(&link).unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(Lab::replay(&log).disks().count(), 1);

        // Change one character of the body: the checksum catches it.
        let mut tampered: Vec<char> = link.chars().collect();
        let i = tampered.len() - 5;
        tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
        let err = decode(&tampered.into_iter().collect::<String>()).unwrap_err();
        assert!(
            err.to_string().contains("changed or damaged")
                || err.to_string().contains("not base64url"),
            "{err}"
        );
        assert!(decode("v2.abc")
            .unwrap_err()
            .to_string()
            .contains("not a Snaplab share link"));
        assert!(decode("v1.0000000000000000")
            .unwrap_err()
            .to_string()
            .contains("cut short"));
    }
}
