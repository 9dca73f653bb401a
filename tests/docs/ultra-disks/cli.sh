subscriptionId=$(az account show --query id -o tsv)
diskName="ultra-data"
resourceGroupName="rg-docs"
location="eastus"
zone=1

az disk create --subscription $subscriptionId -n $diskName -g $resourceGroupName --size-gb 1024 --location $location --zone $zone --sku UltraSSD_LRS --disk-iops-read-write 1000 --disk-mbps-read-write 50 --query "{name:name, sku:sku.name, size:diskSizeGB, iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite}" -o table

# Adjust the performance of the ultra disk
az disk update --subscription $subscriptionId --resource-group $resourceGroupName --name $diskName --disk-iops-read-write 5000 --disk-mbps-read-write 200 --query "{iops:diskIOPSReadWrite, mbps:diskMBpsReadWrite}" -o tsv
