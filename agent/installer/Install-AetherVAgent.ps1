# AETHERV-FIXED-SCRIPT deployment.install
# Installs the Aether-V agent into one directory on a Hyper-V host (Windows PowerShell 5.1).
# The app sends this text unchanged; its only input is base64 UTF-8 JSON on stdin:
#   { installDir, baseUrl, agentVersion, attempts, retryIntervalS,
#     files: [ { name, size, sha256 } ] }
# Nothing from the input is ever turned into code: values are passed to cmdlets as parameters.
# Order matters: the old 'version' file goes first and the new one is written last, so a run that
# stops half-way always reads as "needs redeployment" on the next check.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Write-InstallLine {
    param([string]$Prefix, $Value)
    [Console]::Out.WriteLine($Prefix + (ConvertTo-Json -InputObject $Value -Depth 6 -Compress))
    [Console]::Out.Flush()
}

function Write-InstallLog {
    param([string]$Message, [string]$Level = 'info', [string]$Step = 'install')
    $stamp = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [Globalization.CultureInfo]::InvariantCulture)
    Write-InstallLine -Prefix 'AETHERV-LOG ' -Value ([ordered]@{ t = $stamp; level = $Level; message = $Message; step = $Step })
}

function New-InstallError {
    param([string]$Code, [string]$Message, $Details)
    $exception = New-Object System.Exception -ArgumentList $Message
    $exception.Data['AetherVCode'] = $Code
    $exception.Data['AetherVDetails'] = $Details
    return $exception
}

$fileResults = @()
try {
    try {
        [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    } catch {
        $null = $_
    }
    # 5.1's extended Count on System.Array would turn arrays into {"value":[...],"Count":n} JSON.
    try {
        Remove-TypeData -TypeName 'System.Array' -ErrorAction Stop
    } catch {
        $null = $_
    }
    try {
        $inputText = [Console]::In.ReadToEnd()
        $json = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($inputText.Trim()))
        $request = ConvertFrom-Json -InputObject $json
    } catch {
        throw (New-InstallError -Code 'BAD_ENVELOPE' -Message ('The installer input is not base64 JSON: ' + $_.Exception.Message))
    }
    $installDir = [string]$request.installDir
    $baseUrl = ([string]$request.baseUrl).TrimEnd('/')
    $attempts = [int]$request.attempts
    $retryIntervalS = [int]$request.retryIntervalS
    $files = @($request.files)
    if ($installDir -notmatch '^[A-Za-z]:(\\[A-Za-z0-9 ._()-]+)+$') {
        throw (New-InstallError -Code 'INVALID_FIELDS' -Message ('installDir is not an allowed path: ' + $installDir))
    }
    if ($baseUrl -notmatch '^https?://[^\s/]+$') {
        throw (New-InstallError -Code 'INVALID_FIELDS' -Message ('baseUrl is not an http(s) origin: ' + $baseUrl))
    }
    if ($attempts -lt 1 -or $attempts -gt 10 -or $retryIntervalS -lt 1 -or $retryIntervalS -gt 120) {
        throw (New-InstallError -Code 'INVALID_FIELDS' -Message 'attempts must be 1-10 and retryIntervalS 1-120')
    }
    $names = @{}
    foreach ($file in $files) {
        if ([string]$file.name -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' -or [string]$file.sha256 -notmatch '^[0-9a-f]{64}$') {
            throw (New-InstallError -Code 'INVALID_FIELDS' -Message ('Bad manifest entry: ' + [string]$file.name))
        }
        $names[[string]$file.name] = $true
    }
    if (-not $names.ContainsKey('version')) {
        throw (New-InstallError -Code 'INVALID_FIELDS' -Message 'The manifest has no version file')
    }

    # Step 1: clear the directory (version first), then verify it is empty.
    Write-InstallLog -Message ('Clearing ' + $installDir) -Step 'clear'
    try {
        $versionPath = Join-Path -Path $installDir -ChildPath 'version'
        if (Test-Path -LiteralPath $versionPath) {
            Remove-Item -LiteralPath $versionPath -Force
        }
        if (Test-Path -LiteralPath $installDir) {
            Get-ChildItem -LiteralPath $installDir -Force | Remove-Item -Recurse -Force
        } else {
            $null = New-Item -ItemType Directory -Path $installDir -Force
        }
    } catch {
        throw (New-InstallError -Code 'INSTALL_DIR_NOT_WRITABLE' -Message ('Cannot clear or create ' + $installDir + ': ' + $_.Exception.Message + ' Check that the WinRM account may write there.'))
    }
    $left = @(Get-ChildItem -LiteralPath $installDir -Force)
    if ($left.Count -gt 0) {
        throw (New-InstallError -Code 'INSTALL_DIR_NOT_EMPTY' -Message ($installDir + ' still holds ' + $left.Count + ' item(s) after clearing; close programs using them.'))
    }

    # Step 2: download every file in parallel, each job retrying with exponential backoff and
    # checking size and SHA-256 after each attempt. 'version' lands under a temporary name.
    $download = {
        param($Url, $Path, $Sha, $Size, $Tries, $IntervalS)
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $lastError = ''
        for ($try = 1; $try -le $Tries; $try++) {
            try {
                Invoke-WebRequest -Uri $Url -OutFile $Path -UseBasicParsing -TimeoutSec 600
                $actual = (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
                $length = (Get-Item -LiteralPath $Path).Length
                if ($actual -eq $Sha -and $length -eq $Size) {
                    return [pscustomobject]@{ ok = $true; attempts = $try; sha256 = $actual; bytes = $length; error = $null; code = $null }
                }
                $lastError = 'SHA-256 mismatch (got ' + $actual + ', ' + $length + ' bytes; expected ' + $Sha + ', ' + $Size + ' bytes)'
                $lastCode = 'HASH_MISMATCH'
            } catch {
                $lastError = $_.Exception.Message
                $lastCode = 'DOWNLOAD_FAILED'
            }
            if ($try -lt $Tries) {
                Start-Sleep -Seconds ($IntervalS * [Math]::Pow(2, $try - 1))
            }
        }
        return [pscustomobject]@{ ok = $false; attempts = $Tries; sha256 = $null; bytes = $null; error = $lastError; code = $lastCode }
    }
    Write-InstallLog -Message ('Downloading ' + $files.Count + ' file(s) from ' + $baseUrl) -Step 'download'
    $jobs = @()
    foreach ($file in $files) {
        $target = [string]$file.name
        if ($target -eq 'version') {
            $target = 'version.download'
        }
        $path = Join-Path -Path $installDir -ChildPath $target
        $url = $baseUrl + '/agent/' + [string]$file.name
        $job = Start-Job -ScriptBlock $download -ArgumentList $url, $path, ([string]$file.sha256), ([long]$file.size), $attempts, $retryIntervalS
        $jobs += [pscustomobject]@{ name = [string]$file.name; job = $job }
    }
    $failed = @()
    # A job can hang (a stuck process, a proxy that never answers): bound the wait by what its
    # attempts may take (600 s each plus the backoff) so the installer always returns a result.
    $jobDeadline = [DateTime]::UtcNow.AddSeconds($attempts * 600 + $retryIntervalS * [Math]::Pow(2, $attempts) + 60)
    foreach ($entry in $jobs) {
        $remaining = [int][Math]::Max(1, ($jobDeadline - [DateTime]::UtcNow).TotalSeconds)
        $finished = Wait-Job -Job $entry.job -Timeout $remaining
        $why = 'The download job produced no result'
        if ($null -eq $finished) {
            Stop-Job -Job $entry.job
            $why = 'The download job did not finish within ' + $remaining + ' s'
        }
        $outcome = @(Receive-Job -Job $entry.job -ErrorAction SilentlyContinue) | Select-Object -Last 1
        # A job that could not even start (its process failed) says why only in its state.
        foreach ($child in @($entry.job.ChildJobs)) {
            if ($null -ne $child.JobStateInfo.Reason) { $why = $why + ': ' + $child.JobStateInfo.Reason.Message }
        }
        Remove-Job -Job $entry.job -Force
        if ($null -eq $outcome) {
            $outcome = [pscustomobject]@{ ok = $false; attempts = 0; sha256 = $null; bytes = $null; error = $why; code = 'DOWNLOAD_FAILED' }
        }
        $result = [ordered]@{ name = $entry.name; ok = [bool]$outcome.ok; attempts = $outcome.attempts; sha256 = $outcome.sha256; bytes = $outcome.bytes; error = $outcome.error; code = $outcome.code }
        $fileResults += $result
        if ($outcome.ok) {
            Write-InstallLog -Message ('Verified ' + $entry.name + ' (' + $outcome.attempts + ' attempt(s))') -Step 'download'
        } else {
            Write-InstallLog -Message ('Failed ' + $entry.name + ': ' + $outcome.error) -Level 'error' -Step 'download'
            $failed += $result
        }
    }
    if ($failed.Count -gt 0) {
        $first = $failed[0]
        $code = 'DOWNLOAD_FAILED'
        if ($first.code -eq 'HASH_MISMATCH') {
            $code = 'HASH_MISMATCH'
        }
        throw (New-InstallError -Code $code -Message ($failed.Count.ToString() + ' of ' + $files.Count + ' file(s) failed; first: ' + $first.name + ': ' + $first.error) -Details $fileResults)
    }

    # Step 3: everything verified; the version file goes last.
    Move-Item -LiteralPath (Join-Path -Path $installDir -ChildPath 'version.download') -Destination $versionPath -Force
    Write-InstallLog -Message ('Agent ' + [string]$request.agentVersion + ' installed in ' + $installDir) -Step 'version'
    Write-InstallLine -Prefix 'AETHERV-RESULT ' -Value ([ordered]@{ status = 'ok'; operation = 'deployment.install'; data = [ordered]@{ installDir = $installDir; agentVersion = [string]$request.agentVersion; files = $fileResults } })
    exit 0
} catch {
    $code = 'INTERNAL_ERROR'
    $details = $null
    if ($_.Exception.Data.Contains('AetherVCode')) {
        $code = [string]$_.Exception.Data['AetherVCode']
        $details = $_.Exception.Data['AetherVDetails']
    }
    $body = [ordered]@{ code = $code; message = $_.Exception.Message; exceptionType = $_.Exception.GetType().FullName; details = [ordered]@{ files = @($fileResults) } }
    if ($null -ne $details) {
        $body.details = [ordered]@{ files = @($details) }
    }
    Write-InstallLine -Prefix 'AETHERV-RESULT ' -Value ([ordered]@{ status = 'error'; operation = 'deployment.install'; error = $body })
    exit 1
}
