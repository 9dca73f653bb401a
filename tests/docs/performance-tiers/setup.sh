az group create --name rg-docs --location eastus -o none
