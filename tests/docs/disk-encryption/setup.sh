az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 64 --sku Premium_LRS -o none
az snapshot create -g rg-docs -n data-disk-snap --source data-disk --incremental true -o none
