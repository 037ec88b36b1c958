@_exported import ProviderKit
