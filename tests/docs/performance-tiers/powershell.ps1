$resourceGroupName = "rg-docs"
$diskName = "premium-disk-ps"
$diskSizeInGiB = 256
$region = "eastus"

$diskConfig = New-AzDiskConfig -SkuName Premium_LRS -Location $region -CreateOption Empty -DiskSizeGB $diskSizeInGiB
$dataDisk = New-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -Disk $diskConfig
Write-Output ($dataDisk.Name + ": " + $dataDisk.DiskSizeGB + " GiB, tier " + $dataDisk.Tier)

# The tier follows the size
$diskUpdateConfig = New-AzDiskUpdateConfig -DiskSizeGB 1024
Update-AzDisk -ResourceGroupName $resourceGroupName -DiskName $diskName -DiskUpdate $diskUpdateConfig | Out-Null
(Get-AzDisk -ResourceGroupName $resourceGroupName -Name $diskName).Tier
