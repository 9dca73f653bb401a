az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 128 --sku Premium_LRS -o none
sim write -g rg-docs --disk data-disk --offset 0 --length 2G -o none
az snapshot create -g rg-docs -n data-disk-snap --source data-disk --sku Standard_LRS -o none
