resourceGroup="rg-docs"
diskName="uploaded-disk"
# The VHD's length in bytes, footer included (wc -c of a 32 GiB fixed VHD)
vhdSize=34359738880

# An empty disk that waits for the VHD
az disk create -n $diskName -g $resourceGroup -l eastus --upload-type Upload --upload-size-bytes $vhdSize --sku standard_lrs --query "[diskState, creationData.uploadSizeBytes]" -o tsv

# A writable SAS for a day
sas=$(az disk grant-access -n $diskName -g $resourceGroup --access-level Write --duration-in-seconds 86400 --query [accessSAS] -o tsv)
echo "$sas" | grep -c "sig="
az disk show -n $diskName -g $resourceGroup --query diskState -o tsv

# AzCopy copies the VHD to "$sas" here; in the lab a write stands for it
sim write -g $resourceGroup --disk $diskName --offset 0 --length 64M -o none

# Done uploading: revoke the SAS, and the disk is ready to use
az disk revoke-access -n $diskName -g $resourceGroup
az disk show -n $diskName -g $resourceGroup --query "[diskState, diskSizeGB, diskSizeBytes]" -o tsv
