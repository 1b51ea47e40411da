#!/usr/bin/env bash
# Aether-V Linux guest agent: the guest half of the KVP provisioning handshake (contracts §4).
#
# Phase one (first boot of a VM made from the template): wait for the host, publish an RSA public
# key, receive the AES key and the encrypted settings, verify the keyed checksum, apply host name,
# users, SSH key and network, report the outcome, reboot. Phase two (next boot): remove the agent's
# own working files and disable the service. A marker file makes it run once per VM.
#
# KVP pools, as hv_kvp_daemon numbers them (tools/hv/hv_kvp_daemon.c): 0 external (items the host
# adds with AddKvpItems, host -> guest), 1 guest (items guest programs write, read by the host as
# GuestExchangeItems), 2 auto, 3 auto_external, 4 auto_internal (the daemon's own). The agent READS
# pool 0 and WRITES pool 1 only; it never touches 2-4. Records are 512 bytes of key + 2048 bytes of
# value, NUL-padded. Reads copy the pool under a shared flock; writes rewrite the pool in place
# (same inode, as the daemon's own kvp_update_file does) under an exclusive flock and keep every
# other record byte for byte. The daemon itself locks with fcntl, which flock does not exclude,
# so readers also ignore a trailing partial record and decryption is retried once.
#
# Secrets never appear on a command line (argv is world-readable in /proc): the AES key is
# unwrapped by openssl into a 0600 file, values are decrypted by `openssl cms` from the private key
# alone (each value is framed as a CMS EnvelopedData around the host's wrapped key), the checksum
# HMAC is computed from key-padded files, and passwords reach chpasswd on stdin. Every secret file
# is overwritten and removed after use, and on every exit path.
set -euo pipefail
export LC_ALL=C
umask 077

readonly AGENT_NAME='aetherv-guest'
SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")
SCRIPT_DIR=$(dirname "$SCRIPT_PATH")

# --- configuration: defaults are the real system paths; tests point them at a temp folder ------
POOL_DIR=${AETHERV_KVP_POOL_DIR:-/var/lib/hyperv}
STATE_DIR=${AETHERV_STATE_DIR:-/var/lib/aetherv-guest}
RUN_DIR=${AETHERV_RUN_DIR:-/run/aetherv-guest}
TARGET_ROOT=${AETHERV_TARGET_ROOT:-}
DRY_RUN_LOG=${AETHERV_DRY_RUN_LOG:-}
MEDIA_DIR=${AETHERV_MEDIA_DIR:-}
HOST_TIMEOUT=${AETHERV_HOST_TIMEOUT:-300}
DATA_TIMEOUT=${AETHERV_DATA_TIMEOUT:-300}
POLL_SECONDS=${AETHERV_POLL_SECONDS:-5}
RETRY_SECONDS=${AETHERV_RETRY_SECONDS:-30}
REQUIRE_KVP_DAEMON=${AETHERV_REQUIRE_KVP_DAEMON:-1}
NET_INTERFACE=${AETHERV_NET_INTERFACE:-}
NET_RENDERER=${AETHERV_NET_RENDERER:-}
REBOOT=${AETHERV_REBOOT:-1}

readonly RECORD_SIZE=2560 KEY_SIZE=512 VALUE_SIZE=2048
readonly POOL_EXTERNAL=0 POOL_GUEST=1
readonly MAX_CHUNKS=30
readonly K_VERSION='hlvmm.meta.version'
readonly K_HOST_STATE='hlvmm.meta.host_provisioning_system_state'
readonly K_GUEST_STATE='hlvmm.meta.guest_provisioning_system_state'
readonly K_GUEST_ERROR='hlvmm.meta.guest_provisioning_error'
readonly K_GUEST_STEP='hlvmm.meta.guest_provisioning_step'
readonly K_AES='hlvmm.meta.shared_aes_key'
readonly K_PUBLIC='hlvmm.meta.guest_provisioning_public_key'
readonly K_CHECKSUM='hlvmm.meta.provisioning_system_checksum'
readonly DATA_PREFIX='hlvmm.data.'
readonly MARKER_NAME='service_phase_status'

SECRET_DIR="$RUN_DIR/secrets"   # private key, AES key, HMAC pads (0700)
VALUE_DIR="$RUN_DIR/values"     # decrypted values, one file per key (0700)
WORK_DIR="$RUN_DIR/work"        # ciphertext framing and pool snapshots (not secret, still wiped)
MEDIA_MOUNT="$RUN_DIR/media"

STEP='error:unknown'   # the verb:step reported if anything fails from here on
KVP_LOCK_FD=''         # the guest pool's lock while kvp_set holds it
FINISHED=0
MOUNTED_MEDIA=0

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$AGENT_NAME" "$*" >&2; }

# --- secrets: overwrite, then remove ---------------------------------------------------------
wipe_file() {
    local file=$1
    [[ -e $file || -L $file ]] || return 0
    if [[ -f $file && ! -L $file ]]; then
        if ! shred -f -z -u -- "$file" 2>/dev/null; then
            local size
            size=$(stat -c %s -- "$file")
            head -c "$size" /dev/zero 2>/dev/null >"$file" || true
            rm -f -- "$file"
        fi
    else
        rm -f -- "$file"
    fi
}

wipe_dir() {
    local dir=$1 file
    [[ -d $dir ]] || return 0
    while IFS= read -r -d '' file; do wipe_file "$file"; done < <(find "$dir" -type f -print0)
    rm -rf -- "$dir"
}

wipe_secrets() {
    wipe_dir "$SECRET_DIR"
    wipe_dir "$VALUE_DIR"
    wipe_dir "$WORK_DIR"
}

# --- commands that change the system go through here: a dry run records them instead -----------
run_cmd() {
    if [[ -n $DRY_RUN_LOG ]]; then
        printf '%s\n' "$*" >>"$DRY_RUN_LOG"
        return 0
    fi
    "$@"
}

# Like run_cmd, for commands fed a secret on stdin. A dry run records only the byte count.
run_cmd_stdin() {
    if [[ -n $DRY_RUN_LOG ]]; then
        local bytes
        bytes=$(wc -c | tr -d ' ')
        printf '%s <stdin %s bytes>\n' "$*" "$bytes" >>"$DRY_RUN_LOG"
        return 0
    fi
    "$@"
}

# A folder only root can enter (mkdir -m with -p would only set the mode of the last one).
private_dir() {
    mkdir -p -- "$@"
    chmod 700 -- "$@"
}

have_cmd() { command -v "$1" >/dev/null 2>&1; }
target() { printf '%s%s' "$TARGET_ROOT" "$1"; }

# --- KVP pool files ----------------------------------------------------------------------------
pool_file() { printf '%s/.kvp_pool_%s' "$POOL_DIR" "$1"; }

# The text of a NUL-padded field: everything before the first NUL.
field_text() { tr '\0' '\n' | sed -n 1p; }

# Prints "key<TAB>value" for every whole record of a pool (a trailing partial record is a writer
# mid-way and is skipped). Works on a snapshot taken under a shared lock.
kvp_dump() {
    local pool snap size count i key value
    pool=$(pool_file "$1")
    [[ -f $pool ]] || return 0
    private_dir "$WORK_DIR"
    snap=$(mktemp "$WORK_DIR/pool.XXXXXX")
    flock -s "$pool" cp -- "$pool" "$snap"
    size=$(stat -c %s -- "$snap")
    count=$((size / RECORD_SIZE))
    for ((i = 0; i < count; i++)); do
        key=$(dd if="$snap" bs=512 skip=$((i * 5)) count=1 status=none | field_text)
        value=$(dd if="$snap" bs=512 skip=$((i * 5 + 1)) count=4 status=none | field_text)
        [[ -n $key ]] && printf '%s\t%s\n' "$key" "$value"
    done
    rm -f -- "$snap"
}

# kvp_get POOL KEY: prints the value; status 1 when the key is absent. (awk reads to the end so
# the writer of the pipe never dies of SIGPIPE under pipefail.)
kvp_get() {
    kvp_dump "$1" | awk -F '\t' -v k="$2" '$1 == k && !found { value = substr($0, length(k) + 2); found = 1 } END { if (found) printf "%s", value; exit !found }'
}

# One NUL-padded record on stdout.
kvp_record() {
    local key=$1 value=$2
    printf '%s' "$key"
    head -c $((KEY_SIZE - ${#key})) /dev/zero
    printf '%s' "$value"
    head -c $((VALUE_SIZE - ${#value})) /dev/zero
}

# kvp_set KEY VALUE: writes one item into the guest pool, replacing an item of the same key and
# keeping every other record as it was. kvp_set KEY with no value removes the item.
kvp_set() {
    local key=$1 pool tmp fd size count i other remove=0
    if (($# < 2)); then remove=1; fi
    local value=${2:-}
    if ((${#key} == 0 || ${#key} > KEY_SIZE - 1 || ${#value} > VALUE_SIZE - 1)); then
        log "KVP item $key is too long for a pool record"
        return 1
    fi
    pool=$(pool_file "$POOL_GUEST")
    mkdir -p -- "$POOL_DIR"
    private_dir "$WORK_DIR"
    exec {fd}>>"$pool"
    KVP_LOCK_FD=$fd
    flock -x "$fd"
    tmp=$(mktemp "$WORK_DIR/pool-write.XXXXXX")
    size=$(stat -c %s -- "$pool")
    count=$((size / RECORD_SIZE))
    for ((i = 0; i < count; i++)); do
        other=$(dd if="$pool" bs=512 skip=$((i * 5)) count=1 status=none | field_text)
        [[ $other == "$key" ]] && continue
        dd if="$pool" bs=$RECORD_SIZE skip="$i" count=1 status=none >>"$tmp"
    done
    ((remove)) || kvp_record "$key" "$value" >>"$tmp"
    cat -- "$tmp" >"$pool"
    rm -f -- "$tmp"
    exec {fd}>&-
    KVP_LOCK_FD=''
}

report_state() { kvp_set "$K_GUEST_STATE" "$1"; }
report_step() { kvp_set "$K_GUEST_STEP" "$1" || true; log "step: $1"; }

# wait_for_host_state STATE TIMEOUT: polls pool 0 until the host state is STATE.
wait_for_host_state() {
    local wanted=$1 timeout=$2 start now state
    start=$(date +%s)
    while true; do
        state=$(kvp_get "$POOL_EXTERNAL" "$K_HOST_STATE") || state=''
        [[ $state == "$wanted" ]] && return 0
        now=$(date +%s)
        if ((now - start >= timeout)); then
            log "the host did not reach '$wanted' within $timeout s (last host state: '${state:-unset}')"
            return 1
        fi
        sleep "$POLL_SECONDS"
    done
}

# --- version ---------------------------------------------------------------------------------
# One rule on both sides (contracts §5): BOM, NUL and CR removed, first non-blank line, trimmed,
# a leading v dropped, compared as dot-separated numbers padded with zeros.
normalize_version() {
    local line
    line=$(tr -d '\0\r' | sed 's/^\xEF\xBB\xBF//' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | sed -n '/./{p;q}')
    line=${line#[vV]}
    [[ $line =~ ^[0-9]+(\.[0-9]+)*$ ]] || return 1
    printf '%s' "$line"
}

versions_equal() {
    local -a a b
    local i n x y
    IFS=. read -r -a a <<<"$1"
    IFS=. read -r -a b <<<"$2"
    n=${#a[@]}
    ((${#b[@]} > n)) && n=${#b[@]}
    for ((i = 0; i < n; i++)); do
        x=${a[i]:-0}
        y=${b[i]:-0}
        ((10#$x == 10#$y)) || return 1
    done
}

# --- provisioning media ----------------------------------------------------------------------
# The media carry the agent and its version file. When the template's installed copy differs from
# the media's, the media's copy runs instead, so a template never needs updating with the app.
find_media() {
    [[ -n $MEDIA_DIR ]] && return 0
    local dev
    mkdir -p -- "$MEDIA_MOUNT"
    for dev in /dev/sr[0-9]*; do
        [[ -b $dev ]] || continue
        if mount -o ro -- "$dev" "$MEDIA_MOUNT" 2>/dev/null; then
            if [[ -f $MEDIA_MOUNT/aetherv-guest.sh && -f $MEDIA_MOUNT/aetherv-version ]]; then
                MEDIA_DIR=$MEDIA_MOUNT
                MOUNTED_MEDIA=1
                return 0
            fi
            umount -- "$MEDIA_MOUNT" 2>/dev/null || true
        fi
    done
    MEDIA_DIR=$SCRIPT_DIR
}

# --- crypto --------------------------------------------------------------------------------------
hex_of() { od -An -tx1 -v -- "$1" | tr -d ' \n'; }

generate_rsa_key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$SECRET_DIR/private.pem" 2>/dev/null
    # PKCS#1 RSAPublicKey DER, one base64 line: the form Linux guests publish (contracts §4.3).
    openssl rsa -in "$SECRET_DIR/private.pem" -RSAPublicKey_out -outform DER 2>/dev/null | base64 -w0
}

# Unwraps the AES key (RSA PKCS#1 v1.5) into $SECRET_DIR/aes.key and checks it is 32 bytes.
unwrap_aes_key() {
    local wrapped=$1
    base64 -d <<<"$wrapped" >"$WORK_DIR/aes.wrapped" 2>/dev/null || return 1
    openssl pkeyutl -decrypt -inkey "$SECRET_DIR/private.pem" -in "$WORK_DIR/aes.wrapped" -out "$SECRET_DIR/aes.key" 2>/dev/null || return 1
    [[ $(stat -c %s -- "$SECRET_DIR/aes.key") -eq 32 ]]
}

# decrypt_value BASE64 OUTFILE: base64(IV || AES-256-CBC ciphertext) -> plaintext file. The value is
# framed as CMS EnvelopedData around the host's RSA-wrapped key, so openssl needs only the
# private key file and the AES key never passes through a command line.
decrypt_value() {
    local blob=$1 out=$2 raw iv cipher wrapped
    raw="$WORK_DIR/value.bin"
    base64 -d <<<"$blob" >"$raw" 2>/dev/null || return 1
    (($(stat -c %s -- "$raw") >= 32)) || return 1
    iv=$(head -c 16 -- "$raw" | od -An -tx1 -v | tr -d ' \n')
    cipher=$(tail -c +17 -- "$raw" | od -An -tx1 -v | tr -d ' \n')
    wrapped=$(hex_of "$WORK_DIR/aes.wrapped")
    cat >"$WORK_DIR/value.cnf" <<EOF
asn1 = SEQUENCE:content_info
[content_info]
type = OID:pkcs7-envelopedData
content = EXPLICIT:0,SEQUENCE:enveloped
[enveloped]
version = INTEGER:0
recipients = SET:recipients
encrypted = SEQUENCE:encrypted_content
[recipients]
recipient = SEQUENCE:key_transport
[key_transport]
version = INTEGER:0
id = SEQUENCE:issuer_serial
algorithm = SEQUENCE:rsa_algorithm
key = FORMAT:HEX,OCTETSTRING:$wrapped
[issuer_serial]
issuer = SEQUENCE:empty_name
serial = INTEGER:1
[empty_name]
[rsa_algorithm]
oid = OID:rsaEncryption
parameters = NULL
[encrypted_content]
type = OID:pkcs7-data
algorithm = SEQUENCE:aes_algorithm
data = IMPLICIT:0,FORMAT:HEX,OCTETSTRING:$cipher
[aes_algorithm]
oid = OID:aes-256-cbc
iv = FORMAT:HEX,OCTETSTRING:$iv
EOF
    openssl asn1parse -genconf "$WORK_DIR/value.cnf" -out "$WORK_DIR/value.der" -noout >/dev/null 2>&1 || return 1
    openssl cms -decrypt -inform DER -in "$WORK_DIR/value.der" -inkey "$SECRET_DIR/private.pem" -out "$out" 2>/dev/null || { wipe_file "$out"; return 1; }
    rm -f -- "$raw" "$WORK_DIR/value.cnf" "$WORK_DIR/value.der"
}

# HMAC-SHA256 (RFC 2104) of a file, keyed with $SECRET_DIR/aes.key, base64. Built from two plain
# SHA-256 runs over key-padded files so the key is never an argument.
hmac_file() {
    local message=$1 keyhex i byte inner_pad='' outer_pad=''
    keyhex=$(hex_of "$SECRET_DIR/aes.key")
    for ((i = 0; i < 64; i++)); do
        byte=0
        ((i * 2 < ${#keyhex})) && byte=$((16#${keyhex:i*2:2}))
        printf -v inner_pad '%s\\x%02x' "$inner_pad" $((byte ^ 0x36))
        printf -v outer_pad '%s\\x%02x' "$outer_pad" $((byte ^ 0x5c))
    done
    keyhex=''
    printf '%b' "$inner_pad" >"$SECRET_DIR/hmac.ipad"
    printf '%b' "$outer_pad" >"$SECRET_DIR/hmac.opad"
    inner_pad=''
    outer_pad=''
    cat -- "$SECRET_DIR/hmac.ipad" "$message" | openssl dgst -sha256 -binary >"$SECRET_DIR/hmac.inner"
    cat -- "$SECRET_DIR/hmac.opad" "$SECRET_DIR/hmac.inner" | openssl dgst -sha256 -binary | base64 -w0
    wipe_file "$SECRET_DIR/hmac.ipad"
    wipe_file "$SECRET_DIR/hmac.opad"
    wipe_file "$SECRET_DIR/hmac.inner"
}

# --- receiving the settings -------------------------------------------------------------------
# Decrypts every hlvmm.data item of pool 0 into $VALUE_DIR/<short key>; chunks <key>._N are joined
# in index order. Sets STEP to what failed.
receive_values() {
    local dump wrapped name base index file count
    dump="$WORK_DIR/external.tsv"
    kvp_dump "$POOL_EXTERNAL" >"$dump"
    wipe_dir "$VALUE_DIR"
    private_dir "$VALUE_DIR"

    STEP='error decrypting:shared_aes_key'
    wrapped=$(awk -F '\t' -v k="$K_AES" '$1 == k { print $2; exit }' "$dump")
    if [[ -z $wrapped ]]; then STEP='error reading:provisioning_data'; return 1; fi
    unwrap_aes_key "$wrapped" || return 1

    STEP='error reading:provisioning_data'
    local -A bases=()
    while IFS=$'\t' read -r name _; do
        [[ $name == "$DATA_PREFIX"* ]] || continue
        base=${name#"$DATA_PREFIX"}
        base=${base%._[0-9]*}
        [[ $base =~ ^[a-z0-9_]+$ ]] || { log "ignoring a data item with an unexpected name"; continue; }
        bases[$base]=1
    done <"$dump"
    ((${#bases[@]} > 0)) || return 1

    STEP='error decrypting:provisioning_data'
    for base in "${!bases[@]}"; do
        file="$VALUE_DIR/$base"
        local blob
        blob=$(awk -F '\t' -v k="$DATA_PREFIX$base" '$1 == k { print $2; exit }' "$dump")
        if [[ -n $blob ]]; then
            decrypt_value "$blob" "$file" || { log "could not decrypt $base"; return 1; }
            continue
        fi
        : >"$file"
        count=0
        for ((index = 0; index < MAX_CHUNKS; index++)); do
            blob=$(awk -F '\t' -v k="$DATA_PREFIX$base._$index" '$1 == k { print $2; exit }' "$dump")
            [[ -n $blob ]] || break
            decrypt_value "$blob" "$VALUE_DIR/.chunk" || { log "could not decrypt chunk $index of $base"; wipe_file "$VALUE_DIR/.chunk"; return 1; }
            cat -- "$VALUE_DIR/.chunk" >>"$file"
            wipe_file "$VALUE_DIR/.chunk"
            count=$((count + 1))
        done
        # A gap (chunk 0 missing, or a later index without its predecessors) means lost chunks.
        if ((count == 0)) || [[ $(awk -F '\t' -v p="$DATA_PREFIX$base._" 'index($1, p) == 1 && substr($1, length(p) + 1) ~ /^[0-9]+$/ { n++ } END { print n + 0 }' "$dump") != "$count" ]]; then
            log "chunks of $base are incomplete"
            return 1
        fi
    done

    STEP='error validating:checksum'
    verify_checksum "$dump"
}

# The host's checksum: HMAC-SHA256 keyed with the AES key over the non-blank values ordered by key
# name (ordinal), joined with '|' (AetherV.Kvp.ps1 Get-KvpChecksum).
verify_checksum() {
    local dump=$1 expected actual message first=1 base
    expected=$(awk -F '\t' -v k="$K_CHECKSUM" '$1 == k { print $2; exit }' "$dump")
    [[ -n $expected ]] || { log "the host published no checksum"; return 1; }
    message="$SECRET_DIR/checksum.message"
    : >"$message"
    while IFS= read -r base; do
        # Whitespace-only values are not part of the checksum (the host never publishes them).
        grep -q '[^[:space:]]' -- "$VALUE_DIR/$base" || continue
        ((first)) || printf '|' >>"$message"
        first=0
        cat -- "$VALUE_DIR/$base" >>"$message"
    done < <(find "$VALUE_DIR" -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | sort)
    actual=$(hmac_file "$message")
    wipe_file "$message"
    if [[ $actual != "$expected" ]]; then
        log "the checksum of the received settings does not match the host's"
        return 1
    fi
}

# Value of a received setting ('' when absent), for non-secret settings only: secrets are read
# from their files by the command that needs them.
setting() {
    local file="$VALUE_DIR/$1"
    [[ -f $file ]] || return 0
    cat -- "$file"
}
has_setting() { [[ -s $VALUE_DIR/$1 ]]; }

# --- applying: host name -----------------------------------------------------------------------
apply_hostname() {
    local name
    name=$(setting guest_host_name)
    [[ -n $name ]] || return 0
    [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$ ]] || { log "host name is not a valid label"; return 1; }
    mkdir -p -- "$(target /etc)"
    printf '%s\n' "$name" >"$(target /etc/hostname)"
    chmod 644 -- "$(target /etc/hostname)"
    local hosts
    hosts=$(target /etc/hosts)
    if [[ -f $hosts ]] && grep -q '^127\.0\.1\.1[[:space:]]' -- "$hosts"; then
        sed -i "s/^127\.0\.1\.1[[:space:]].*/127.0.1.1\t$name/" -- "$hosts"
    else
        printf '127.0.1.1\t%s\n' "$name" >>"$hosts"
        chmod 644 -- "$hosts"
    fi
    run_cmd hostnamectl set-hostname "$name"
}

# --- applying: users and SSH key --------------------------------------------------------------
valid_user() { [[ $1 =~ ^[a-z_][a-z0-9_-]{0,31}$ && $1 != root ]]; }

admin_group() {
    local group
    group=$(target /etc/group)
    if [[ -f $group ]] && grep -q '^sudo:' -- "$group"; then printf 'sudo'; else printf 'wheel'; fi
}

user_exists() { [[ -f $(target /etc/passwd) ]] && grep -q "^$1:" -- "$(target /etc/passwd)"; }

home_of() {
    local home=''
    [[ -f $(target /etc/passwd) ]] && home=$(awk -F: -v u="$1" '$1 == u { print $6; exit }' "$(target /etc/passwd)")
    printf '%s' "${home:-/home/$1}"
}

ensure_user() {
    local user=$1 group
    group=$(admin_group)
    if user_exists "$user"; then
        run_cmd usermod -a -G "$group" "$user"
    else
        run_cmd useradd -m -s /bin/bash -G "$group" "$user"
    fi
}

apply_local_admin() {
    local user
    user=$(setting guest_la_uid)
    [[ -n $user ]] || return 0
    valid_user "$user" || { log "local admin user name is not valid"; return 1; }
    ensure_user "$user"
    if has_setting guest_la_pw; then
        # "user:password" reaches chpasswd on stdin, never as an argument.
        { printf '%s:' "$user"; cat -- "$VALUE_DIR/guest_la_pw"; printf '\n'; } | run_cmd_stdin chpasswd
    fi
}

apply_ssh_user() {
    local user key home dir
    user=$(setting ansible_ssh_user)
    [[ -n $user ]] || return 0
    valid_user "$user" || { log "SSH user name is not valid"; return 1; }
    key=$(setting ansible_ssh_key)
    [[ $key =~ ^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\ [A-Za-z0-9+/=]+(\ [^[:cntrl:]]*)?$ ]] || { log "SSH key is not a single OpenSSH public key line"; return 1; }
    ensure_user "$user"
    home=$(home_of "$user")
    dir=$(target "$home/.ssh")
    mkdir -p -- "$dir"
    chmod 700 -- "$dir"
    printf '%s\n' "$key" >"$dir/authorized_keys"
    chmod 600 -- "$dir/authorized_keys"
    run_cmd chown -R "$user:" "$home/.ssh"
    # Passwordless sudo for the automation account (contracts §4.1).
    mkdir -p -- "$(target /etc/sudoers.d)"
    printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" >"$(target "/etc/sudoers.d/90-aetherv-$user")"
    chmod 440 -- "$(target "/etc/sudoers.d/90-aetherv-$user")"
}

# --- applying: network -------------------------------------------------------------------------
valid_ipv4() {
    local IFS=. part
    local -a parts
    [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
    read -r -a parts <<<"$1"
    for part in "${parts[@]}"; do ((10#$part <= 255)) || return 1; done
}

detect_renderer() {
    if [[ -n $NET_RENDERER ]]; then printf '%s' "$NET_RENDERER"; return; fi
    if [[ -d $(target /etc/netplan) ]]; then printf 'netplan'
    elif [[ -d $(target /etc/NetworkManager) ]]; then printf 'networkmanager'
    elif [[ -f $(target /etc/network/interfaces) ]]; then printf 'ifupdown'
    else printf 'none'
    fi
}

detect_interface() {
    if [[ -n $NET_INTERFACE ]]; then printf '%s' "$NET_INTERFACE"; return; fi
    local dev
    for dev in /sys/class/net/*; do
        [[ -e $dev/device ]] || continue   # physical (synthetic) NICs only, not lo or bridges
        printf '%s' "${dev##*/}"
        return
    done
    return 1
}

apply_network() {
    local ip prefix gw dns1 dns2 suffix renderer iface static=0
    ip=$(setting guest_v4_ip_addr)
    prefix=$(setting guest_v4_cidr_prefix)
    gw=$(setting guest_v4_default_gw)
    dns1=$(setting guest_v4_dns1)
    dns2=$(setting guest_v4_dns2)
    suffix=$(setting guest_net_dns_suffix)
    if [[ -n $ip ]]; then
        static=1
        valid_ipv4 "$ip" || { log "guest_v4_ip_addr is not an IPv4 address"; return 1; }
        if ! [[ $prefix =~ ^[0-9]{1,2}$ ]] || ((10#$prefix < 1 || 10#$prefix > 32)); then
            log "guest_v4_cidr_prefix is not 1-32"
            return 1
        fi
        valid_ipv4 "$gw" || { log "guest_v4_default_gw is not an IPv4 address"; return 1; }
    fi
    local d
    for d in "$dns1" "$dns2"; do
        [[ -z $d ]] || valid_ipv4 "$d" || { log "a DNS server is not an IPv4 address"; return 1; }
    done
    [[ -z $suffix || $suffix =~ ^[A-Za-z0-9.-]{1,253}$ ]] || { log "guest_net_dns_suffix is not a domain name"; return 1; }
    renderer=$(detect_renderer)
    if [[ $renderer == none ]]; then
        ((static)) && { log "static IPv4 asked for, but no netplan, NetworkManager or ifupdown found"; return 1; }
        log "no network configuration system found; leaving the network as the template has it"
        return 0
    fi
    iface=$(detect_interface) || { log "no network interface found"; return 1; }
    log "network: $renderer on $iface, $([[ $static == 1 ]] && echo static || echo DHCP) IPv4"
    case $renderer in
        netplan) write_netplan "$iface" "$static" "$ip" "$prefix" "$gw" "$dns1" "$dns2" "$suffix" ;;
        networkmanager) write_networkmanager "$iface" "$static" "$ip" "$prefix" "$gw" "$dns1" "$dns2" "$suffix" ;;
        ifupdown) write_ifupdown "$iface" "$static" "$ip" "$prefix" "$gw" "$dns1" "$dns2" "$suffix" ;;
        *) log "unknown network renderer '$renderer'"; return 1 ;;
    esac
}

write_netplan() {
    local iface=$1 static=$2 ip=$3 prefix=$4 gw=$5 dns1=$6 dns2=$7 suffix=$8 file servers=''
    file=$(target /etc/netplan/90-aetherv.yaml)
    mkdir -p -- "$(dirname "$file")"
    [[ -n $dns1 ]] && servers=$dns1
    [[ -n $dns2 ]] && servers="$servers, $dns2"
    {
        printf 'network:\n  version: 2\n  ethernets:\n    %s:\n' "$iface"
        if ((static)); then
            printf '      dhcp4: false\n      addresses: [%s/%s]\n' "$ip" "$prefix"
            printf '      routes:\n        - to: default\n          via: %s\n' "$gw"
        else
            printf '      dhcp4: true\n'
        fi
        if [[ -n $servers || -n $suffix ]]; then
            printf '      nameservers:\n'
            [[ -n $servers ]] && printf '        addresses: [%s]\n' "$servers"
            [[ -n $suffix ]] && printf '        search: [%s]\n' "$suffix"
        fi
    } >"$file"
    chmod 600 -- "$file"
    run_cmd netplan apply
}

write_networkmanager() {
    local iface=$1 static=$2 ip=$3 prefix=$4 gw=$5 dns1=$6 dns2=$7 suffix=$8 file dns=''
    file=$(target "/etc/NetworkManager/system-connections/aetherv-$iface.nmconnection")
    mkdir -p -- "$(dirname "$file")"
    [[ -n $dns1 ]] && dns="$dns1;"
    [[ -n $dns2 ]] && dns="$dns$dns2;"
    {
        printf '[connection]\nid=aetherv-%s\ntype=ethernet\ninterface-name=%s\nautoconnect=true\nautoconnect-priority=100\n\n' "$iface" "$iface"
        printf '[ipv4]\n'
        if ((static)); then
            printf 'method=manual\naddress1=%s/%s,%s\n' "$ip" "$prefix" "$gw"
        else
            printf 'method=auto\n'
        fi
        [[ -n $dns ]] && printf 'dns=%s\n' "$dns"
        [[ -n $suffix ]] && printf 'dns-search=%s;\n' "$suffix"
        printf '\n[ipv6]\nmethod=auto\n'
    } >"$file"
    chmod 600 -- "$file"
    run_cmd nmcli connection reload
    run_cmd nmcli connection up "aetherv-$iface"
}

write_ifupdown() {
    local iface=$1 static=$2 ip=$3 prefix=$4 gw=$5 dns1=$6 dns2=$7 suffix=$8 file interfaces
    file=$(target "/etc/network/interfaces.d/90-aetherv-$iface")
    interfaces=$(target /etc/network/interfaces)
    mkdir -p -- "$(dirname "$file")"
    {
        printf 'auto %s\n' "$iface"
        if ((static)); then
            printf 'iface %s inet static\n    address %s/%s\n    gateway %s\n' "$iface" "$ip" "$prefix" "$gw"
        else
            printf 'iface %s inet dhcp\n' "$iface"
        fi
        [[ -n $dns1 ]] && printf '    dns-nameservers %s\n' "$(printf '%s %s' "$dns1" "$dns2" | sed 's/ *$//')"
        [[ -n $suffix ]] && printf '    dns-search %s\n' "$suffix"
    } >"$file"
    chmod 644 -- "$file"
    # The interface must not also be configured by the main file, or ifup sees it twice.
    if grep -q "^iface $iface " -- "$interfaces"; then
        sed -i "s/^\(auto\|allow-hotplug\|iface\) $iface\b/# disabled by aetherv-guest: &/" -- "$interfaces"
    fi
    grep -q '^source /etc/network/interfaces.d/\*' -- "$interfaces" || printf 'source /etc/network/interfaces.d/*\n' >>"$interfaces"
    run_cmd ifdown --force "$iface"
    run_cmd ifup "$iface"
}

apply_settings() {
    STEP='error applying:hostname'; report_step 'applying:hostname'; apply_hostname
    STEP='error applying:users'; report_step 'applying:users'; apply_local_admin
    STEP='error applying:ssh'; report_step 'applying:ssh'; apply_ssh_user
    STEP='error applying:network'; report_step 'applying:network'; apply_network
}

# --- phases ------------------------------------------------------------------------------------
marker_file() { printf '%s/%s' "$STATE_DIR" "$MARKER_NAME"; }
read_marker() { [[ -f $(marker_file) ]] && sed -n 1p -- "$(marker_file)" || printf 'nophasestartedyet'; }
write_marker() { printf '%s\n' "$1" >"$(marker_file)"; }

kvp_daemon_running() {
    local comm
    for comm in /proc/[0-9]*/comm; do
        case $(cat -- "$comm" 2>/dev/null) in hv_kvp_daemon | hypervkvpd | hv-kvp-daemon) return 0 ;; esac
    done
    return 1
}

on_exit() {
    local status=$?
    set +e
    # A signal can land while kvp_set holds the pool lock (bash runs traps between commands, so
    # the pool itself is whole): release it, or reporting below would wait on our own lock forever.
    if [[ -n $KVP_LOCK_FD ]]; then
        exec {KVP_LOCK_FD}>&-
        KVP_LOCK_FD=''
    fi
    if [[ $FINISHED != 1 && $PHASE == one ]]; then
        local summary=${STEP:0:200}
        log "provisioning failed: $summary"
        kvp_set "$K_GUEST_ERROR" "$summary"
        kvp_set "$K_GUEST_STATE" 'provisioningfailed'
        write_marker 'failed'
        ((status == 0)) && status=1
    fi
    wipe_secrets
    if ((MOUNTED_MEDIA)); then umount -- "$MEDIA_MOUNT" 2>/dev/null; fi
    exit "$status"
}

phase_one() {
    PHASE=one
    trap on_exit EXIT
    # systemd stops a unit with SIGTERM (e.g. at its start timeout): report and wipe on the way out.
    trap 'exit 143' TERM INT HUP
    write_marker 'phase_one_started'
    private_dir "$SECRET_DIR" "$WORK_DIR"

    # A pool file that came with the template may still hold a former run's items; the host must
    # only ever see this run's.
    STEP='error publishing:guest_state'
    local stale
    for stale in "$K_GUEST_STATE" "$K_GUEST_ERROR" "$K_GUEST_STEP" "$K_PUBLIC"; do kvp_set "$stale"; done

    STEP='error initializing:kvp_daemon'
    if [[ $REQUIRE_KVP_DAEMON == 1 ]] && ! kvp_daemon_running; then
        log "the Hyper-V KVP daemon (hv_kvp_daemon) is not running; install hyperv-daemons / linux-cloud-tools and enable it"
        return 1
    fi

    STEP='error waiting:host_signal'
    report_step 'waiting:host_signal'
    wait_for_host_state waitingforpublickey "$HOST_TIMEOUT"

    STEP='error validating:manifest'
    find_media
    local host_version local_version
    host_version=$(kvp_get "$POOL_EXTERNAL" "$K_VERSION" | normalize_version) || { log "the host published no usable version"; return 1; }
    local_version=$(normalize_version <"$MEDIA_DIR/aetherv-version") || { log "no usable version file at $MEDIA_DIR/aetherv-version"; return 1; }
    if ! versions_equal "$host_version" "$local_version"; then
        log "version mismatch: host agent $host_version, guest agent $local_version"
        return 1
    fi
    if [[ -z ${AETHERV_FROM_MEDIA:-} && -f $MEDIA_DIR/aetherv-guest.sh ]] && ! cmp -s -- "$MEDIA_DIR/aetherv-guest.sh" "$SCRIPT_PATH"; then
        log "running the agent from the provisioning media (version $local_version)"
        # Copied out of the media (ejected later) and out of the wiped work folder.
        private_dir "$RUN_DIR/media-agent"
        cp -- "$MEDIA_DIR/aetherv-guest.sh" "$MEDIA_DIR/aetherv-version" "$RUN_DIR/media-agent/"
        if ((MOUNTED_MEDIA)); then umount -- "$MEDIA_MOUNT" 2>/dev/null || true; fi
        MOUNTED_MEDIA=0
        wipe_secrets
        trap - EXIT
        rm -f -- "$(marker_file)"
        exec {lock_fd}>&-
        AETHERV_FROM_MEDIA=1 AETHERV_MEDIA_DIR="$RUN_DIR/media-agent" exec bash "$RUN_DIR/media-agent/aetherv-guest.sh"
    fi

    STEP='error generating:rsa_keys'
    report_step 'generating:rsa_keys'
    local public_key
    public_key=$(generate_rsa_key)
    [[ -n $public_key ]]

    STEP='error publishing:public_key'
    kvp_set "$K_PUBLIC" "$public_key"
    kvp_set "$K_GUEST_ERROR" ''
    STEP='error publishing:guest_state'
    report_state 'waitingforaeskey'

    STEP='error waiting:provisioning_data'
    report_step 'waiting:provisioning_data'
    wait_for_host_state provisioningdatapublished "$DATA_TIMEOUT"

    report_step 'receiving:provisioning_data'
    if ! receive_values; then
        # The KVP daemon may still be delivering items: rescan once (contracts §4.2 step 8).
        log "${STEP#error }: retrying once in $RETRY_SECONDS s"
        sleep "$RETRY_SECONDS"
        receive_values
    fi
    # The private key has done its work.
    wipe_file "$SECRET_DIR/private.pem"
    wipe_file "$SECRET_DIR/aes.key"
    log "received $(find "$VALUE_DIR" -maxdepth 1 -type f ! -name '.*' | wc -l) settings: $(find "$VALUE_DIR" -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | sort | tr '\n' ' ')"

    STEP='error publishing:guest_state'
    report_state 'applying'
    apply_settings
    wipe_secrets

    STEP='error publishing:success_state'
    kvp_set "$K_GUEST_ERROR" ''
    report_state 'provisioningapplied'
    report_step 'done'
    write_marker 'phase_one'
    FINISHED=1
    log "provisioning applied"
    if [[ $REBOOT == 1 ]]; then
        log "rebooting to finish (phase two runs at the next boot)"
        run_cmd systemctl --no-block reboot
    fi
}

# Removes exactly the agent's own working files (never the configuration it applied) and
# disables the service, so nothing runs again.
phase_two() {
    PHASE=two
    wipe_secrets
    rm -rf -- "$MEDIA_MOUNT" "$RUN_DIR/media-agent"
    if [[ -d $RUN_DIR ]]; then rmdir -- "$RUN_DIR" 2>/dev/null || true; fi
    run_cmd systemctl disable aetherv-guest.service
    write_marker 'phase_two'
    log "phase two done: working files removed, service disabled"
}

main() {
    case ${1:-run} in
        run) ;;
        -h | --help) sed -n '2,7p' "$SCRIPT_PATH" | sed 's/^# \{0,1\}//'; return 0 ;;
        *) log "unknown argument '$1' (usage: aetherv-guest.sh [run])"; return 2 ;;
    esac
    for tool in openssl flock base64 od dd shred; do
        have_cmd "$tool" || { log "missing required tool: $tool"; return 1; }
    done
    private_dir "$STATE_DIR" "$RUN_DIR"
    # One agent at a time.
    exec {lock_fd}>"$STATE_DIR/.lock"
    flock -n "$lock_fd" || { log "another aetherv-guest run is in progress"; return 1; }
    PHASE=none
    case $(read_marker) in
        nophasestartedyet) phase_one ;;
        phase_one) phase_two ;;
        phase_two) log "this VM is already provisioned; nothing to do" ;;
        *) log "an earlier provisioning attempt did not finish ($(read_marker)); not retrying. Remove $(marker_file) to run again" ;;
    esac
}

PHASE=none
main "$@"
