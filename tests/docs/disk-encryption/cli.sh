rgName="rg-docs"
diskName="data-disk"

# The encryption settings the disk carries: platform-managed keys by default
az disk show -g $rgName -n $diskName --query encryption

# The encryption type alone, and whether a disk encryption set is in use
az disk show -g $rgName -n $diskName --query [encryption.type] -o tsv
az disk show -g $rgName -n $diskName --query "encryption.diskEncryptionSetId == null"

# A snapshot carries its own
az snapshot show -g $rgName -n data-disk-snap --query "{name:name, encryption:encryption.type}" -o table
