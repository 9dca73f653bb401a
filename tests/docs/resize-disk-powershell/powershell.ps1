$rgName = "rg-docs"
$diskName = "data-disk"

# The disk as it is now
$disk = Get-AzDisk -ResourceGroupName $rgName -DiskName $diskName
Write-Output "$($disk.Name): $($disk.DiskSizeGB) GiB, tier $($disk.Tier)"

# The new size, in an update configuration sent to the disk
$diskUpdateConfig = New-AzDiskUpdateConfig -DiskSizeGB 512
$disk = Update-AzDisk -ResourceGroupName $rgName -DiskName $disk.Name -DiskUpdate $diskUpdateConfig
Write-Output "$($disk.Name): $($disk.DiskSizeGB) GiB, tier $($disk.Tier)"

# The same for each disk under a size, by changing the disk object itself
foreach ($small in Get-AzDisk -ResourceGroupName $rgName | Where-Object { $_.DiskSizeGB -lt 64 }) {
    $small.DiskSizeGB = 64
    $small = Update-AzDisk -ResourceGroupName $rgName -Disk $small -DiskName $small.Name
    Write-Output "$($small.Name): $($small.DiskSizeGB) GiB"
}

# A disk never shrinks: the update stops with the service's error
try {
    $disk.DiskSizeGB = 256
    Update-AzDisk -ResourceGroupName $rgName -Disk $disk -DiskName $disk.Name -ErrorAction Stop | Out-Null
}
catch {
    Write-Output "Not resized: $($_.Exception.Message)"
}

Get-AzDisk -ResourceGroupName $rgName | Select-Object Name, DiskSizeGB, DiskState | Format-Table

