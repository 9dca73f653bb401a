az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 128 --sku Standard_LRS -o none
az disk create -g rg-docs -n log-disk --size-gb 64 --sku Standard_LRS -o none
az disk create -g rg-docs -n archive-disk --size-gb 256 --sku Standard_LRS -o none
