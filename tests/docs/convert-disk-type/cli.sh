# The resource group and disk, and the type to convert to: one of
# Standard_LRS, StandardSSD_LRS, StandardSSD_ZRS, Premium_ZRS, Premium_LRS
rgName="rg-docs"
diskName="data-disk"
sku="Premium_LRS"

# The VM the disk is attached to, if any, must be deallocated first
vmId=$(az disk show --name $diskName --resource-group $rgName --query managedBy --output tsv)
if [ -n "$vmId" ]; then
  az vm deallocate --ids $vmId
fi

# Change the disk's type
az disk update --sku $sku --name $diskName --resource-group $rgName --query "{name:name, sku:sku.name, tier:tier, sizeGb:diskSizeGB}"

# And back to Standard HDD: a Premium SSD's tier goes with its type
az disk update --sku Standard_LRS --name $diskName --resource-group $rgName --query "{sku:sku.name, tier:tier}" --output tsv

# Every other Standard HDD disk of the group to Standard SSD, by ID
for id in $(az disk list --resource-group $rgName --query "[?sku.name=='Standard_LRS' && name!='archive-disk'].id" --output tsv); do
  az disk update --sku StandardSSD_LRS --ids $id --output none
done
az disk list --resource-group $rgName --query "[].{Name:name, Sku:sku.name}" --output table

# Ultra disks are not a type a disk converts to
az disk update --sku UltraSSD_LRS --name archive-disk --resource-group $rgName
echo "exit code: $?"
