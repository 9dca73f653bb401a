//! Who may do what to the development storage account: Shared Key (the
//! `Authorization: SharedKey account:signature` header) and service SAS
//! (`sv`, `sp`, `se`, `sr`, `sig` in the query), each checked by
//! recomputing the signature as the Storage service does: HMAC-SHA256 of
//! the account key over the request's string-to-sign, base64. The two
//! strings-to-sign follow the Blob service's documentation ("Authorize with
//! Shared Key", "Create a service SAS"); azure-storage-blob 12.31.1 builds
//! the same ones (its `SharedKeyCredentialPolicy` and `BlobSharedAccessSignature`),
//! which the SDK tests exercise.

use std::cmp::Ordering;
use std::time::SystemTime;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{clock, StorageError};
use crate::serve::Request;

/// What a request needs of a SAS's permissions (`sp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Read,
    Write,
    Create,
    Delete,
    List,
}

impl Permission {
    fn letter(self) -> char {
        match self {
            Permission::Read => 'r',
            Permission::Write => 'w',
            Permission::Create => 'c',
            Permission::Delete => 'd',
            Permission::List => 'l',
        }
    }
}

/// The account's name and key (its base64 form, as a connection string has it).
pub struct Account {
    pub name: &'static str,
    pub key: &'static str,
}

/// The well-known development account (the name and key Azurite and the
/// Storage emulator use), so one client script runs against either.
pub const DEV_ACCOUNT: Account = Account {
    name: "devstoreaccount1",
    key: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
};

impl Account {
    /// base64(HMAC-SHA256(key, text)).
    pub fn sign(&self, text: &str) -> String {
        let key = base64::engine::general_purpose::STANDARD
            .decode(self.key)
            .expect("the account key is base64");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        mac.update(text.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Checks the request's Shared Key or SAS; `resource` is the decoded
    /// path inside the account (`/container` or `/container/blob`).
    pub fn authorise(
        &self,
        req: &Request,
        resource: &str,
        needs: Permission,
        now: SystemTime,
    ) -> Result<(), StorageError> {
        if let Some(auth) = req.header("authorization") {
            return self.shared_key(req, auth);
        }
        if req.param("sig").is_some() {
            return self.sas(req, resource, needs, now);
        }
        Err(StorageError::new(401, "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header: give a Shared Key Authorization header or a SAS."))
    }

    fn shared_key(&self, req: &Request, auth: &str) -> Result<(), StorageError> {
        let failed = |why: &str| {
            StorageError::new(403, "AuthenticationFailed", &format!("Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. ({why})"))
        };
        let (scheme, credential) = auth.split_once(' ').ok_or_else(|| failed("no scheme"))?;
        let (account, signature) = credential
            .split_once(':')
            .ok_or_else(|| failed("not account:signature"))?;
        if scheme != "SharedKey" || account != self.name {
            return Err(failed("not SharedKey for this account"));
        }
        if self.sign(&shared_key_string(req, self.name)) != signature {
            return Err(failed("the signature does not match this account's key"));
        }
        Ok(())
    }

    fn sas(
        &self,
        req: &Request,
        resource: &str,
        needs: Permission,
        now: SystemTime,
    ) -> Result<(), StorageError> {
        let failed = |detail: String| {
            StorageError::new(403, "AuthenticationFailed", &format!("Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. {detail}"))
        };
        let p = |name: &str| req.param(name).unwrap_or("");
        let signed_resource = match p("sr") {
            "b" => resource.to_string(),
            "c" => format!(
                "/{}",
                resource
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or("")
            ),
            other => {
                return Err(failed(format!(
                "The signed resource '{other}' is not served: use a blob (b) or container (c) SAS."
            )))
            }
        };
        if p("sr") == "b" && resource.matches('/').count() < 2 {
            return Err(failed(
                "A blob SAS does not give access to its container.".into(),
            ));
        }
        if self.sign(&sas_string(req, self.name, &signed_resource)) != p("sig") {
            return Err(failed(
                "Signature did not match: the SAS was changed, or signed with another key.".into(),
            ));
        }
        let expiry = clock::parse_iso(p("se"))
            .ok_or_else(|| failed(format!("The signed expiry '{}' is not a time.", p("se"))))?;
        if now > expiry {
            return Err(failed(format!(
                "Signed expiry time [{}] has to be after current time [{}].",
                p("se"),
                clock::iso_seconds(now)
            )));
        }
        if let Some(start) = req.param("st").filter(|s| !s.is_empty()) {
            match clock::parse_iso(start) {
                Some(t) if t <= now => {}
                _ => {
                    return Err(failed(format!(
                        "Signed start time [{start}] is after current time."
                    )))
                }
            }
        }
        if !p("sp").contains(needs.letter()) {
            return Err(StorageError::new(403, "AuthorizationPermissionMismatch", &format!("This request is not authorized to perform this operation using this permission: it needs '{}', the SAS grants '{}'.", needs.letter(), p("sp"))));
        }
        Ok(())
    }
}

/// The Shared Key string-to-sign: verb, the standard headers, the
/// canonicalized `x-ms-` headers and the canonicalized resource.
pub fn shared_key_string(req: &Request, account: &str) -> String {
    let header = |name: &str| req.header(name).unwrap_or("").to_string();
    let length = header("content-length");
    let standard = [
        "content-encoding",
        "content-language",
        "content-length",
        "content-md5",
        "content-type",
        "date",
        "if-modified-since",
        "if-match",
        "if-none-match",
        "if-unmodified-since",
        "range",
    ]
    .map(|name| match name {
        "content-length" if length == "0" => String::new(),
        _ => header(name),
    });
    let mut x_ms: Vec<(String, &str)> = req
        .headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    x_ms.sort_by(|a, b| collate(&a.0, &b.0));
    let mut query: Vec<(String, &str)> = req
        .query
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    query.sort();
    let mut text = format!("{}\n{}\n", req.method, standard.join("\n"));
    for (name, value) in x_ms {
        text += &format!("{name}:{value}\n");
    }
    text += &format!("/{account}{}", req.path);
    for (name, value) in query {
        text += &format!("\n{name}:{value}");
    }
    text
}

/// A service SAS's string-to-sign (account key, no stored policy or
/// delegation key): the fields of `sv` 2020-12-06 and later (with the
/// encryption scope), or of 2018-11-09 to 2020-10-02 (without it).
pub fn sas_string(req: &Request, account: &str, resource: &str) -> String {
    let p = |name: &str| req.param(name).unwrap_or("").to_string();
    let mut fields = vec![
        p("sp"),
        p("st"),
        p("se"),
        format!("/blob/{account}{resource}"),
        p("si"),
        p("sip"),
        p("spr"),
        p("sv"),
        p("sr"),
        p("snapshot"),
    ];
    if p("sv").as_str() >= "2020-12-06" {
        fields.push(p("ses"));
    }
    for name in ["rscc", "rscd", "rsce", "rscl", "rsct"] {
        fields.push(p(name));
    }
    fields.join("\n")
}

/// The order the Storage service sorts `x-ms-` header names in for Shared
/// Key: a two-level collation in which `-` is ignored at the first level
/// (so `x-ms-blob-type` sorts by `xmsblobtype`), the tables of
/// azure-storage-blob's `_shared/authentication.py`, for the ASCII a header
/// name may hold.
pub fn collate(lhs: &str, rhs: &str) -> Ordering {
    let (lhs, rhs) = (lhs.as_bytes(), rhs.as_bytes());
    let tables: [fn(u8) -> u16; 2] = [level0, level4];
    let (mut level, mut i, mut j) = (0, 0, 0);
    while level < tables.len() {
        if level == tables.len() - 1 && i != j {
            return j.cmp(&i);
        }
        let w1 = lhs.get(i).map_or(1, |&c| tables[level](c));
        let w2 = rhs.get(j).map_or(1, |&c| tables[level](c));
        if w1 == 1 && w2 == 1 {
            (i, j) = (0, 0);
            level += 1;
        } else if w1 == w2 {
            i += 1;
            j += 1;
        } else if w1 == 0 {
            i += 1;
        } else if w2 == 0 {
            j += 1;
        } else {
            return w1.cmp(&w2);
        }
    }
    Ordering::Equal
}

/// First-level weights: letters case-insensitively, digits, some
/// punctuation; `-`, `'` and controls weigh nothing.
fn level0(c: u8) -> u16 {
    match c {
        b'a'..=b'z' => LETTERS[(c - b'a') as usize],
        b'A'..=b'Z' => LETTERS[(c - b'A') as usize],
        b'0'..=b'9' => DIGITS[(c - b'0') as usize],
        b'!' => 0x71c,
        b'#' => 0x71f,
        b'$' => 0x721,
        b'%' => 0x723,
        b'&' => 0x725,
        b'*' => 0x72d,
        b'+' => 0x803,
        b'.' => 0x733,
        b'^' => 0x743,
        b'_' => 0x744,
        b'`' => 0x748,
        b'|' => 0x74c,
        b'~' => 0x750,
        _ => 0,
    }
}

/// The last level: only `'` and `-` weigh, which orders names equal but
/// for their hyphens.
fn level4(c: u8) -> u16 {
    match c {
        b'\'' => 0x8012,
        b'-' => 0x8212,
        _ => 0,
    }
}

const LETTERS: [u16; 26] = [
    0xe02, 0xe09, 0xe0a, 0xe1a, 0xe21, 0xe23, 0xe25, 0xe2c, 0xe32, 0xe35, 0xe36, 0xe48, 0xe51,
    0xe70, 0xe7c, 0xe7e, 0xe89, 0xe8a, 0xe91, 0xe99, 0xe9f, 0xea2, 0xea4, 0xea6, 0xea7, 0xea9,
];
const DIGITS: [u16; 10] = [
    0xd03, 0xd1a, 0xd1c, 0xd1e, 0xd20, 0xd22, 0xd24, 0xd26, 0xd28, 0xd2a,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphens_weigh_nothing_until_the_last_level() {
        // "x-ms-blob-content-length" < "x-ms-blob-type": by "xmsblobc…" < "xmsblobt…".
        assert_eq!(
            collate("x-ms-blob-content-length", "x-ms-blob-type"),
            Ordering::Less
        );
        // Byte order would put "x-ms-date" (0x2d after "x") before "x-msa"; the
        // collation ignores the hyphen and compares "xmsd" with "xmsa".
        assert_eq!(collate("x-ms-date", "x-msa"), Ordering::Greater);
        assert_eq!(collate("x-ms-date", "x-ms-date"), Ordering::Equal);
        let mut names = vec![
            "x-ms-version",
            "x-ms-date",
            "x-ms-client-request-id",
            "x-ms-blob-type",
        ];
        names.sort_by(|a, b| collate(a, b));
        assert_eq!(
            names,
            [
                "x-ms-blob-type",
                "x-ms-client-request-id",
                "x-ms-date",
                "x-ms-version"
            ]
        );
    }

    #[test]
    fn the_signature_is_the_sdks_hmac() {
        // Python's base64(hmac.new(b64decode(key), b"GET\n", sha256).digest()),
        // which is what azure-storage-blob's sign_string computes.
        assert_eq!(
            DEV_ACCOUNT.sign("GET\n"),
            "/ZZsmidvu/o1IWuAI6fRY2fmdvnXEMtMILD8Y+sZWjA="
        );
    }
}
