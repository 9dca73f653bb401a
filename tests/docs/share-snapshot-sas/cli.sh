resourceGroupName="rg-docs"
snapshotName="data-disk-snap"
# How long the SAS lasts, in seconds
sasExpiryDuration=3600

# A read-only SAS URL for the snapshot, to share or to copy its VHD from
sas=$(az snapshot grant-access --resource-group $resourceGroupName --name $snapshotName --duration-in-seconds $sasExpiryDuration --query [accessSAS] -o tsv)
echo "$sas" | grep -c "sp=r"

# While the SAS is out, the snapshot says so
az snapshot show --resource-group $resourceGroupName --name $snapshotName --query diskState -o tsv

# Done sharing: revoke the SAS
az snapshot revoke-access --resource-group $resourceGroupName --name $snapshotName
az snapshot show --resource-group $resourceGroupName --name $snapshotName --query diskState -o tsv
