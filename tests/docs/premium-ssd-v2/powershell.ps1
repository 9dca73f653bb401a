$resourceGroupName = "rg-docs"
$diskName = "ssd-v2-disk-ps"
$region = "eastus"
$zone = "2"

$diskConfig = New-AzDiskConfig -Location $region -Zone $zone -DiskSizeGB 100 -DiskIOPSReadWrite 4000 -DiskMBpsReadWrite 125 -AccountType PremiumV2_LRS -LogicalSectorSize 4096 -CreateOption Empty
$disk = New-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -Disk $diskConfig
Write-Output ($disk.Name + " in zone " + $disk.Zones + ": " + $disk.DiskIOPSReadWrite + " IOPS, " + $disk.DiskMBpsReadWrite + " MB/s")

$update = New-AzDiskUpdateConfig -DiskIOPSReadWrite 5000 -DiskMBpsReadWrite 180
$disk = Update-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -DiskUpdate $update
Write-Output ("Now " + $disk.DiskIOPSReadWrite + " IOPS, " + $disk.DiskMBpsReadWrite + " MB/s")
