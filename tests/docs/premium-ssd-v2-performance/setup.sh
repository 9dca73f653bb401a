az group create --name rg-docs --location eastus -o none
az disk create -g rg-docs -n v2-disk --size-gb 256 --sku PremiumV2_LRS --zone 1 --logical-sector-size 4096 -o none
