//! A script in the style of Azure's docs pages, written with the bash they
//! use (issue 21, item 3): arrays (an associative one of disk → snapshot),
//! `case` on a disk's state, `(( ))`, parameter expansions, `printf`, a
//! here-document, `[[ =~ ]]`, and `while read` fed by `< <(az …)`, under
//! `set -euo pipefail`, against the simulator's az.

use snaplab_console::Console;

const SCRIPT: &str = r#"set -euo pipefail
resourceGroupName="${RESOURCE_GROUP:-rg-bash}"
location=westeurope
declare -A snapshotOf
disks=(data-01 data-02 logs-01)

az group create -n "$resourceGroupName" -l "$location" -o none
for disk in "${disks[@]}"; do
    size=$(( ${#disk} * 4 ))
    az disk create -g "$resourceGroupName" -n "$disk" --size-gb "$size" -o none
    snapshotOf[$disk]="${disk%%-*}-snap-${disk##*-}"
done

for disk in "${!snapshotOf[@]}"; do
    id=$(az disk show -g "$resourceGroupName" -n "$disk" --query id -o tsv)
    az snapshot create -g "$resourceGroupName" -n "${snapshotOf[$disk]}" --source "$id" --incremental true -o none
    state=$(az disk show -g "$resourceGroupName" -n "$disk" --query diskState -o tsv)
    case "$state" in
        Unattached) note="free" ;;
        Attached|Reserved) note="in use" ;;
        *) note="unknown ($state)" ;;
    esac
    printf '%-8s -> %-14s %s\n' "$disk" "${snapshotOf[$disk]}" "$note"
done

count=$(az snapshot list -g "$resourceGroupName" --query "length(@)" -o tsv)
(( count == ${#disks[@]} )) && echo "all ${count} disks have a snapshot"
cat <<EOF
Report for ${resourceGroupName^^}
  snapshots: $count
  first:     ${snapshotOf[data-01]}
EOF
while read -r name sku; do
    [[ $name =~ ^data-([0-9]+)$ ]] && echo "data disk #${BASH_REMATCH[1]}: $sku ($(az disk show -g "$resourceGroupName" -n "$name" --query diskSizeGB -o tsv) GiB)"
done < <(az disk list -g "$resourceGroupName" --query "[].[name, sku.name]" -o tsv)
az snapshot show -g "$resourceGroupName" -n "${snapshotOf[nope]}" -o none
echo "never: set -e stops at the failure above"
"#;

#[test]
fn a_docs_style_script_runs_with_arrays_case_heredocs_and_process_substitution() {
    let mut console = Console::new(snaplab_engine::Lab::new());
    let t = console.run(SCRIPT);
    assert_eq!(
        t.stdout(),
        "data-01  -> data-snap-01   free
data-02  -> data-snap-02   free
logs-01  -> logs-snap-01   free
all 3 disks have a snapshot
Report for RG-BASH
  snapshots: 3
  first:     data-snap-01
data disk #01: Premium_LRS (28 GiB)
data disk #02: Premium_LRS (28 GiB)
"
    );
    // A key the array does not have is unset: under set -u bash stops with
    // status 127 before az runs.
    assert_eq!(t.status, 127);
    assert_eq!(t.stderr(), "bash: snapshotOf[nope]: unbound variable\n");
    assert_eq!(
        console.lab.state().snapshots().count(),
        3,
        "one snapshot per disk, named from the associative array"
    );
}
