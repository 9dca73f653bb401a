$rgName = "rg-docs"
$diskName = "data-disk"

# The disk as it is now
$disk = Get-AzDisk -ResourceGroupName $rgName -DiskName $diskName
Write-Output "$($disk.Name): $($disk.DiskSizeGB) GiB, tier $($disk.Tier)"

# The new size, in an update configuration sent to the disk
$diskUpdateConfig = New-AzDiskUpdateConfig -DiskSizeGB 512
$disk = Update-AzDisk -ResourceGroupName $rgName -DiskName $disk.Name -DiskUpdate $diskUpdateConfig
Write-Output "$($disk.Name): $($disk.DiskSizeGB) GiB, tier $($disk.Tier)"

# The same for each disk under a size
foreach ($small in Get-AzDisk -ResourceGroupName $rgName | Where-Object { $_.DiskSizeGB -lt 64 }) {
    $diskUpdateConfig = New-AzDiskUpdateConfig -DiskSizeGB 64
    $small = Update-AzDisk -ResourceGroupName $rgName -DiskName $small.Name -DiskUpdate $diskUpdateConfig
    Write-Output "$($small.Name): $($small.DiskSizeGB) GiB"
}

Get-AzDisk -ResourceGroupName $rgName | Select-Object Name, DiskSizeGB, DiskState | Format-Table

