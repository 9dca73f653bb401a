az group create --name rg-docs --location eastus -o none
sim feature enable -o none
