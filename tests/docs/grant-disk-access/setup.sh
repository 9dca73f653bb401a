az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n data-disk --size-gb 64 --sku Premium_LRS -o none
sim write -g rg-docs --disk data-disk --offset 0 --length 1G -o none
