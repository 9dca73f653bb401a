$rgName = "rg-docs"
$diskName = "data-disk"

$disk = Get-AzDisk -ResourceGroupName $rgName -DiskName $diskName
Write-Output ("Before: " + $disk.DiskSizeGB + " GiB")
$diskUpdate = New-AzDiskUpdateConfig -DiskSizeGB 1023
$disk = Update-AzDisk -ResourceGroupName $rgName -DiskName $diskName -DiskUpdate $diskUpdate
Write-Output ("After: " + $disk.DiskSizeGB + " GiB")
