# Find unattached managed disks, and delete those the clean-up targets.
# Set $deleteUnattachedDisks = 1 to delete them, 0 only to list them.
$deleteUnattachedDisks = 1
$params = @{ ResourceGroupName = 'rg-cleanup' }

# Disks whose names follow the web tier's pattern are in scope; the rest are kept.
$managedDisks = Get-AzDisk @params
$names = $managedDisks.Name
Write-Output "Web tier disks: $($names -like 'web-*')"
Write-Output "Kept: $($names -notlike 'web-*')"

foreach ($md in $managedDisks) {
    # ManagedBy holds the Id of the VM the disk is attached to; $null when it is not attached.
    if ($md.ManagedBy -eq $null -and $md.Name -like 'web-*-0[0-9]') {
        if ($md.Sku.Name -in 'Premium_LRS', 'PremiumV2_LRS') {
            Write-Output "Premium disk $($md.Name) is unattached ($($md.DiskSizeGB) GiB)"
        }
        if ($deleteUnattachedDisks -eq 1) {
            Write-Output "Deleting unattached Managed Disk: $($md.Name)"
            $md | Remove-AzDisk -Force | Out-Null
        } else {
            $md.Id
        }
    }
}

# Snapshots are named <disk>-snap-<yyyymmdd>: read the source disk and date back.
$snapshots = Get-AzSnapshot @params
foreach ($s in $snapshots) {
    if ($s.Name -match '^(?<disk>.+)-snap-(\d{4})(\d{2})(\d{2})$') {
        Write-Output "$($s.Name): disk $($Matches.disk), taken $($Matches[1])-$($Matches[2])-$($Matches[3])"
        $newName = $s.Name -replace '-snap-(\d{8})$', '-keep-$1'
        Write-Output "Would be renamed $newName"
    }
}
Get-AzSnapshot @params | Where-Object { $_.Name -like 'web-*' } | Remove-AzSnapshot -Force | Out-Null

$left = (Get-AzDisk @params).Name
Write-Output "Remaining disks: $left"
Write-Output "web-data-01 remains: $($left -contains 'web-data-01')"
Write-Output "Snapshots left: $((Get-AzSnapshot @params | Measure-Object).Count)"
