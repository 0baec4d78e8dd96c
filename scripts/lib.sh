# shellcheck shell=bash
# Shared helpers for scripts/test.sh and scripts/run.sh. Source it; do not run it.
# Expects to be sourced with the repository root as the current directory.

# Create .venv with python3 and install requirements.txt into it, when .venv/bin/python is
# missing or requirements.txt is newer than the stamp .venv/.installed.
ensure_venv() {
    if [[ ! -x .venv/bin/python ]]; then
        echo "lib.sh: creating .venv"
        if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
            if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
                echo "lib.sh: python3 cannot make virtualenvs; installing python3-venv"
                apt-get update -qq >/dev/null
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            else
                echo "lib.sh: python3 cannot make virtualenvs: install python3-venv" >&2
                return 1
            fi
        fi
        rm -rf .venv
        python3 -m venv .venv
        rm -f .venv/.installed
    fi
    if [[ ! -f .venv/.installed ]] || [[ requirements.txt -nt .venv/.installed ]]; then
        echo "lib.sh: installing requirements.txt into .venv"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            --no-input -r requirements.txt
        touch .venv/.installed
    fi
}

# Seconds since $1 (from `date +%s`) as "Mm Ss".
elapsed_since() {
    local secs=$(($(date +%s) - $1))
    printf '%dm %02ds' $((secs / 60)) $((secs % 60))
}
