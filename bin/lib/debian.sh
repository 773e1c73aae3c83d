# Shared by bin/kvm-lane and guests/linux/fetch: Debian's stock kernel and busybox, taken from Debian's archive
# with `apt-get download` (nothing prebuilt from anywhere else), the .debs kept in $JSTRATO_DEBIAN_CACHE
# (default /var/tmp/jstrato-debian). Functions print one error line and return 1 on failure.

debian_cache=${JSTRATO_DEBIAN_CACHE:-/var/tmp/jstrato-debian}

# Prints the kernel package behind linux-image-amd64 (e.g. linux-image-6.1.0-57-amd64); looked up once a day.
debian_kernel_package() {
  local memo="$debian_cache/kernel-package" pkg
  mkdir -p "$debian_cache"
  if [ -s "$memo" ] && [ -z "$(find "$memo" -mmin +1440 2>/dev/null)" ]; then cat "$memo"; return 0; fi
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  fi
  if [ -z "$pkg" ]; then
    [ -s "$memo" ] && { cat "$memo"; return 0; }
    echo "error: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2
    return 1
  fi
  echo "$pkg" >"$memo"
  echo "$pkg"
}

# Extracts the named Debian packages into DIR/<package> (downloading each .deb once into the cache).
debian_extract() {
  local dir=$1 pkg deb; shift
  mkdir -p "$debian_cache/debs" "$dir"
  for pkg in "$@"; do
    deb=$(ls "$debian_cache/debs/${pkg}_"*.deb 2>/dev/null | head -n1)
    if [ -z "$deb" ]; then
      if ! (cd "$debian_cache/debs" && apt-get download "$pkg" >download.log 2>&1); then
        echo "error: apt-get download $pkg failed: $(grep -m1 -E '^E:' "$debian_cache/debs/download.log" || tail -n1 "$debian_cache/debs/download.log")" >&2
        return 1
      fi
      deb=$(ls "$debian_cache/debs/${pkg}_"*.deb | head -n1)
    fi
    rm -rf "${dir:?}/$pkg"
    dpkg-deb -x "$deb" "$dir/$pkg" || { echo "error: dpkg-deb -x $deb failed" >&2; return 1; }
  done
}

# Prints the dependency closure of the named modules, dependencies first, as paths below MODDIR
# (lib/modules/VER). Read from each .ko's own modinfo section, so no depmod (kmod) is needed.
debian_module_closure() {
  local moddir=$1; shift
  declare -A path=() seen=()
  local f name
  while IFS= read -r f; do
    name=$(basename "$f" .ko); path[${name//-/_}]=${f#"$moddir"/}
  done < <(find "$moddir/kernel" -name '*.ko')
  _debian_visit() {
    local m=${1//-/_} deps d
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    [ -n "${path[$m]:-}" ] || { echo "error: kernel module $m not found in $moddir" >&2; return 1; }
    deps=$(grep -a -o -m1 'depends=[A-Za-z0-9_,-]*' "$moddir/${path[$m]}" | head -n1 | cut -d= -f2)
    for d in ${deps//,/ }; do _debian_visit "$d" || return 1; done
    echo "${path[$m]}"
  }
  for name in "$@"; do _debian_visit "$name" || return 1; done
}
