resourceGroupName="rg-docs"
diskName="data-disk"

# A read SAS for the disk, valid for an hour, to download its VHD with
sasUri=$(az disk grant-access --resource-group $resourceGroupName --name $diskName --duration-in-seconds 3600 --access-level Read --query accessSAS -o tsv)
echo "$sasUri" | grep -c "sp=r"
az disk show --resource-group $resourceGroupName --name $diskName --query "{state:diskState, size:diskSizeGB}" -o tsv

# The download is done: revoke the SAS, and wait until the disk says so
az disk revoke-access --resource-group $resourceGroupName --name $diskName
az disk wait --resource-group $resourceGroupName --name $diskName --custom "properties.diskState=='Unattached'" --interval 5
az disk show --resource-group $resourceGroupName --name $diskName --query diskState -o tsv
