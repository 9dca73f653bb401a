//! Why Azure's diff is small: the same changed bytes, counted in the units
//! other change trackers use (reference sheet section 7). Azure reports
//! 512-byte pages; a QEMU dirty bitmap tracks 64 KiB granules by default; AWS
//! EBS snapshots track 512 KiB blocks. A scattered 4 KiB write is one 4 KiB
//! change for Azure but a whole 512 KiB block for EBS.

/// A tracker and its unit, in bytes.
pub const TRACKERS: [(&str, u64); 3] = [
    ("Azure page blob (Get Page Ranges)", 512),
    ("QEMU dirty bitmap (default granularity)", 64 * 1024),
    ("AWS EBS snapshot blocks", 512 * 1024),
];

/// How many `unit`-byte units the byte ranges touch (each range is
/// `start..=end`, inclusive as the REST API reports it; sorted, not
/// overlapping), and so how many bytes a copy by those units moves.
pub fn units_touched(ranges: &[(u64, u64)], unit: u64) -> (u64, u64) {
    let mut count = 0u64;
    let mut last: Option<u64> = None;
    for &(start, end) in ranges {
        let (first_unit, last_unit) = (start / unit, end / unit);
        // A unit already counted for the previous range is not counted again.
        let from = match last {
            Some(l) if l >= first_unit => l + 1,
            _ => first_unit,
        };
        if last_unit >= from {
            count += last_unit - from + 1;
        }
        last = Some(last.map_or(last_unit, |l| l.max(last_unit)));
    }
    (count, count * unit)
}

/// The REST API's XML, one range a line, as a person reads it.
pub fn pretty_xml(xml: &str) -> String {
    let Some(start) = xml.find("<PageList>") else {
        return xml.to_string();
    };
    let (head, body) = xml.split_at(start);
    let inner = body
        .trim_start_matches("<PageList>")
        .trim_end()
        .trim_end_matches("</PageList>");
    let head = head.trim_end();
    let mut out = if head.is_empty() {
        String::new()
    } else {
        format!("{head}\n")
    };
    out += "<PageList>\n";
    let mut rest = inner;
    while !rest.is_empty() {
        // Each child is <Name>…</Name> or <Name />.
        let Some(name_end) = rest[1..].find(['>', ' ']).map(|i| i + 1) else {
            break;
        };
        let name = &rest[1..name_end];
        let end = if rest[..].starts_with(&format!("<{name} />")) {
            format!("<{name} />").len()
        } else {
            match rest.find(&format!("</{name}>")) {
                Some(i) => i + name.len() + 3,
                None => rest.len(),
            }
        };
        out += &format!("  {}\n", &rest[..end]);
        rest = &rest[end..];
    }
    out + "</PageList>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scattered_small_writes_cost_whole_blocks_elsewhere() {
        // Sixteen 4 KiB writes, 1 MiB apart: 64 KiB for Azure.
        let ranges: Vec<(u64, u64)> = (0..16).map(|i| (i << 20, (i << 20) + 4095)).collect();
        assert_eq!(units_touched(&ranges, 512), (128, 65_536));
        assert_eq!(units_touched(&ranges, 64 * 1024), (16, 1 << 20));
        assert_eq!(units_touched(&ranges, 512 * 1024), (16, 8 << 20));
        // Two ranges in one block count the block once.
        assert_eq!(
            units_touched(&[(0, 511), (4096, 8191)], 512 * 1024),
            (1, 512 * 1024)
        );
        // A range across a block boundary touches both.
        assert_eq!(
            units_touched(&[(512 * 1024 - 512, 512 * 1024 + 511)], 512 * 1024).0,
            2
        );
        assert_eq!(units_touched(&[], 512), (0, 0));
    }

    #[test]
    fn the_rest_xml_reads_one_range_a_line() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList><PageRange><Start>0</Start><End>511</End></PageRange><ClearRange><Start>512</Start><End>1023</End></ClearRange><NextMarker /></PageList>";
        assert_eq!(
            pretty_xml(xml),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PageList>\n  <PageRange><Start>0</Start><End>511</End></PageRange>\n  <ClearRange><Start>512</Start><End>1023</End></ClearRange>\n  <NextMarker />\n</PageList>"
        );
        assert_eq!(pretty_xml("not xml"), "not xml");
    }
}
