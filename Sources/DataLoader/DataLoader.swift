// DataLoader
