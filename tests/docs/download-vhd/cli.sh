resourceGroupName="rg-docs"
diskName="os-disk"

# A read-only SAS for a day, to download the VHD
sas=$(az disk grant-access --duration-in-seconds 86400 --access-level Read --name $diskName --resource-group $resourceGroupName --query [accessSAS] -o tsv)
echo "$sas" | grep -c "sig="
az disk show -n $diskName -g $resourceGroupName --query diskState -o tsv

# Done downloading: revoke it
az disk revoke-access --name $diskName --resource-group $resourceGroupName
az disk show -n $diskName -g $resourceGroupName --query diskState -o tsv
