$resourceGroup = "rg-docs"
$diskName = "v2-disk"

$disk = Get-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName
Write-Output ("Before: " + $disk.DiskIOPSReadWrite + " IOPS, " + $disk.DiskMBpsReadWrite + " MB/s")

$diskupdateconfig = New-AzDiskUpdateConfig -DiskMBpsReadWrite 600
$disk = Update-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName -DiskUpdate $diskupdateconfig
Write-Output ("After: " + $disk.DiskIOPSReadWrite + " IOPS, " + $disk.DiskMBpsReadWrite + " MB/s")

$diskupdateconfig = New-AzDiskUpdateConfig -DiskIOPSReadWrite 12000
$disk = Update-AzDisk -ResourceGroupName $resourceGroup -DiskName $diskName -DiskUpdate $diskupdateconfig
Write-Output ("After: " + $disk.DiskIOPSReadWrite + " IOPS, " + $disk.DiskMBpsReadWrite + " MB/s")
