$diskName = "data-disk"
$rgName = "rg-docs"
# Standard_LRS, StandardSSD_LRS, StandardSSD_ZRS, Premium_ZRS or Premium_LRS
$storageType = "Premium_LRS"

$disk = Get-AzDisk -DiskName $diskName -ResourceGroupName $rgName
if ($disk.ManagedBy) {
    Write-Output ("Deallocate " + $disk.ManagedBy + " first")
}
Write-Output ("Before: " + $disk.Sku.Name)

# Update the storage type
$diskUpdate = New-AzDiskUpdateConfig -SkuName $storageType
$disk = Update-AzDisk -ResourceGroupName $rgName -DiskName $diskName -DiskUpdate $diskUpdate
Write-Output ("After: " + $disk.Sku.Name + ", tier " + $disk.Tier)

Get-AzDisk -ResourceGroupName $rgName | ForEach-Object { Write-Output ($_.Name + ": " + $_.Sku.Name) }

