// Lifeboat runs where its peers run: Linux servers and Kubernetes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
