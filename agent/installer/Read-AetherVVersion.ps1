# AETHERV-FIXED-SCRIPT deployment.version
# Reads {installDir}\version on a Hyper-V host (Windows PowerShell 5.1). Input: base64 UTF-8 JSON
# { installDir } on stdin, never interpolated. Returns the raw bytes (base64) so the app applies
# its one normalisation rule (BOM, NUL, UTF-16, whitespace) to exactly what is on disk.
$ErrorActionPreference = 'Stop'
try {
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    $request = ConvertFrom-Json -InputObject ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(([Console]::In.ReadToEnd()).Trim())))
    $path = Join-Path -Path ([string]$request.installDir) -ChildPath 'version'
    $data = [ordered]@{ exists = $false; base64 = $null }
    if (Test-Path -LiteralPath $path -PathType Leaf) {
        # .NET resolves paths without PowerShell's drives: hand it the provider path.
        $bytes = [IO.File]::ReadAllBytes((Convert-Path -LiteralPath $path))
        if ($bytes.Length -gt 4096) {
            $bytes = $bytes[0..4095]
        }
        $data = [ordered]@{ exists = $true; base64 = [Convert]::ToBase64String([byte[]]$bytes) }
    }
    [Console]::Out.WriteLine('AETHERV-RESULT ' + (ConvertTo-Json -InputObject ([ordered]@{ status = 'ok'; operation = 'deployment.version'; data = $data }) -Depth 4 -Compress))
    exit 0
} catch {
    $body = [ordered]@{ code = 'INTERNAL_ERROR'; message = $_.Exception.Message; exceptionType = $_.Exception.GetType().FullName }
    [Console]::Out.WriteLine('AETHERV-RESULT ' + (ConvertTo-Json -InputObject ([ordered]@{ status = 'error'; operation = 'deployment.version'; error = $body }) -Depth 4 -Compress))
    exit 1
}
