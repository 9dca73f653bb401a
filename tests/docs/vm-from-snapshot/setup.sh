az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n app-disk --size-gb 128 --sku Premium_LRS -o none
sim write -g rg-docs --disk app-disk --offset 0 --length 6G -o none
az snapshot create -g rg-docs -n app-disk-snap --source app-disk --incremental true -o none
