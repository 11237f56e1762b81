#!/usr/bin/env bash
# The kernel matrix: runs the kernel tests that make sense there under Debian's own kernels in qemu (software
# emulation, no KVM needed). Each kernel boots a busybox initramfs that shares this machine's root read-only over 9p
# (the same JDK, bpftool, bpftrace and target/ classes), runs org.bpf4j.testing.GuestRun in a chroot and writes its
# results to a read-write share; qemu exits 0 even when the guest panics, so the results file is the verdict.
#
# usage: scripts/kernel-matrix.sh [KERNEL...]      KERNEL: 6.1, 6.12 (default both)
# env:   BPF4J_KERNEL_CACHE  where the kernel packages and their extracts are kept (default ~/.cache/bpf4j/kernels)
#        BPF4J_MATRIX_CLASSES  the test classes to run (default: the list below)
#        BPF4J_MATRIX_TIMEOUT  seconds a guest may run (default 360: a run takes about 65 s; a hung guest, as a 6.1
#                              soft lockup once was, is booted once more instead of holding CI for 15 minutes)
# Exit: 0 all ran and passed; 1 a test failed or a guest did not finish; 2 the matrix cannot run here (says why).
set -uo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cache="${BPF4J_KERNEL_CACHE:-$HOME/.cache/bpf4j/kernels}"
out="$here/target/kernel-matrix"
timeout_s="${BPF4J_MATRIX_TIMEOUT:-360}"
# Kernel-tagged classes: those whose answer varies between kernels (the attach points: kprobes, kretprobes, offsets,
# wildcards and kprobe_multi, fentry/fexit, with the kernel's config and bpftool's probe as oracles; the tracing
# languages' kprobe, kfunc and kernel.function probes), and the core of the kernel layer on older kernels
# (tracepoint, raw tracepoint, uprobe and USDT links, maps, program loading, the ring buffer) and bpftool's feature
# probe beside bpf4j's, every map type (MapTypesTest: 6.1's syscall tracepoints have no kernel stack), and BCC's
# tools on their kprobe and tracepoint paths at once (KprobePathsTest). About a minute per kernel in the guest's JVM
# on an idle machine.
classes="${BPF4J_MATRIX_CLASSES:-org.bpf4j.link.KprobeLinkTest org.bpf4j.lang.runtime.KernelProbesTest org.bpf4j.link.AttachSupportTest
  org.bpf4j.link.TracepointLinkTest org.bpf4j.link.RawTracepointLinkTest org.bpf4j.link.UprobeLinkTest org.bpf4j.link.UsdtLinkTest
  org.bpf4j.map.KernelMapTest org.bpf4j.prog.KernelProgramTest org.bpf4j.ringbuf.RingBufferTest org.bpf4j.cli.bpftool.FeatureProbeTest
  org.bpf4j.map.MapTypesTest org.bpf4j.tools.KprobePathsTest}"
classes=$(echo $classes)   # one line: it goes into the guest's script

say() { echo "kernel-matrix: $*" >&2; }
cannot() { say "cannot run: $*"; exit 2; }

# Debian package of each matrix kernel: the metapackage whose dependency names the current image.
meta_of() { case "$1" in 6.1) echo linux-image-amd64 ;; 6.12) echo linux-image-6.12-amd64 ;; *) return 1 ;; esac; }

[ "$(uname -m)" = x86_64 ] || cannot "needs an x86_64 host (this is $(uname -m))"
[ "$(id -u)" = 0 ] || cannot "needs root (to install qemu and to run the guests' kernel tests as root)"
need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q static || [ -e /usr/share/doc/busybox-static ] || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || cannot "no qemu-system-x86_64 and no apt-get to install ${need[*]}"
  say "installing ${need[*]}..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"; } >&2 \
    || cannot "apt-get install ${need[*]} failed (no network?)"
fi
command -v qemu-system-x86_64 >/dev/null 2>&1 || cannot "qemu-system-x86_64 is missing"
bios=/usr/share/qemu/qboot.rom; [ -r "$bios" ] || bios=
[ -d "$here/target/classes" ] && [ -d "$here/target/test-classes" ] || cannot "build first (target/classes, target/test-classes missing)"
. "$here/scripts/env.sh"; bpf4j_find_jdk || cannot "no JDK 25"
if [ ! -s "$here/target/test.classpath" ] || [ "$here/pom.xml" -nt "$here/target/test.classpath" ]; then
  bpf4j_find_maven || cannot "no Maven to list the test classpath"
  (cd "$here" && "${MVN[@]}" -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath >&2) \
    || cannot "mvn dependency:build-classpath failed"
fi

# Fetches (once) and extracts kernel $1: sets kdir to a directory with vmlinuz, config and modules/*.ko in load order.
prepare_kernel() {
  local k="$1" meta pkg deb
  meta=$(meta_of "$k") || { say "unknown kernel $k (6.1 or 6.12)"; return 2; }
  mkdir -p "$cache"
  pkg=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | grep -v -- '-unsigned$' | head -n1)
  case "$pkg" in linux-image-"$k".*|linux-image-"$k"+*) ;; *) pkg= ;; esac # this release's lists name another kernel
  cached=$(ls -t "$cache"/linux-image-"$k"[.+]*.deb 2>/dev/null | head -n1)
  deb=
  [ -n "$pkg" ] && deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -n1)
  if [ -z "$deb" ] && [ -n "$pkg" ]; then
    say "downloading $pkg (apt-get download, into $cache)..."
    if (cd "$cache" && apt-get download "$pkg" >/dev/null 2>"$cache/download.log"); then
      deb=$(ls "$cache/${pkg}_"*.deb | head -n1)
    else
      say "apt-get download $pkg failed (no network?): $(tail -n1 "$cache/download.log")"
    fi
  fi
  [ -n "$deb" ] || deb="$cached" # an older download of the same series
  [ -n "$deb" ] || { say "no Debian package of kernel $k ($meta) to download and none cached in $cache"; return 2; }
  kdir="$cache/$(basename "$deb" .deb)"
  [ -f "$kdir/done" ] && return 0
  say "extracting $(basename "$deb")..."
  rm -rf "$kdir"; mkdir -p "$kdir/x" "$kdir/modules"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir/x" --wildcards './boot/vmlinuz-*' './boot/config-*' \
      './lib/modules/*/kernel/fs/*' './lib/modules/*/kernel/net/9p/*' './lib/modules/*/kernel/drivers/virtio/*' \
    || { say "cannot extract $deb"; return 1; }
  cp "$kdir"/x/boot/vmlinuz-* "$kdir/vmlinuz"; cp "$kdir"/x/boot/config-* "$kdir/config"
  basename "$kdir"/x/boot/vmlinuz-* | sed 's/^vmlinuz-//' >"$kdir/release"
  # the 9p file system over virtio and what it depends on (modinfo's depends), each before its users
  local order=() seen=" "
  add_module() {
    local name="$1" f dep
    case "$seen" in *" $name "*) return 0 ;; esac
    seen="$seen$name "
    f=$(find "$kdir/x/lib/modules" -name "$name.ko*" -o -name "$(echo "$name" | tr _ -).ko*" | head -n1)
    [ -n "$f" ] || return 0 # built in
    for dep in $(modinfo -F depends "$f" | tr , ' '); do add_module "$dep"; done
    order+=("$f")
  }
  local m i=10
  for m in virtio_pci 9pnet_virtio 9p; do add_module "$m"; done
  for m in "${order[@]}"; do
    case "$m" in
      *.xz) xz -dc "$m" >"$kdir/modules/$i-$(basename "$m" .xz)" ;;
      *.zst) zstd -qdc "$m" >"$kdir/modules/$i-$(basename "$m" .zst)" ;;
      *) cp "$m" "$kdir/modules/$i-$(basename "$m")" ;;
    esac
    i=$((i + 1))
  done
  rm -rf "$kdir/x"
  touch "$kdir/done"
}

# The initramfs: busybox and /init, which loads the modules, mounts the shares and runs the guest script.
make_initramfs() {
  local kdir="$1" img="$2" root
  root=$(mktemp -d); mkdir -p "$root"/{bin,dev,proc,sys,newroot,modules}
  cp /bin/busybox "$root/bin/busybox"
  cp "$kdir"/modules/*.ko "$root/modules/" 2>/dev/null || true
  cp "$kdir/config" "$root/config"; cp "$kdir/release" "$root/release"
  cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m" || echo "init: insmod $m failed"; done
fail() { echo "init: $*"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 root /newroot || fail "cannot mount the host's root"
r=/newroot
mount -t tmpfs tmp $r/tmp; mount -t tmpfs run $r/run; mount -t tmpfs boot $r/boot
mkdir -p $r/tmp/results; mount -t 9p -o trans=virtio,version=9p2000.L,rw results $r/tmp/results || fail "no results share"
cp /config "$r/boot/config-$(cat /release)"
mount -t proc proc $r/proc; mount -t sysfs sys $r/sys; mount -t devtmpfs dev $r/dev
mount -t bpf bpf $r/sys/fs/bpf; mount -t tracefs tracefs $r/sys/kernel/tracing; mount -t debugfs debugfs $r/sys/kernel/debug
mkdir -p $r/dev/pts $r/dev/shm; mount -t devpts devpts $r/dev/pts; mount -t tmpfs shm $r/dev/shm
echo "init: running the guest script on $(uname -r)"
chroot $r /bin/sh /tmp/results/guest.sh
echo "init: guest script exited $?"
sync; poweroff -f
INIT
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$img"
  rm -rf "$root"
}

# Boots kernel $1 (prepared in $kdir) with results in $2; returns when the guest is off or timed out.
boot() {
  local kdir="$1" res="$2" img="$2/initramfs.gz"
  make_initramfs "$kdir" "$img"
  timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2G -smp 2 -nodefaults \
    -display none -serial stdio -no-reboot ${bios:+-bios "$bios"} -kernel "$kdir/vmlinuz" -initrd "$img" \
    -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init" \
    -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$res",mount_tag=results,security_model=none \
    </dev/null >"$res/console.log" 2>&1
  rm -f "$img"
}

# The guests read a snapshot of the classes, so that a build running meanwhile cannot change them under the JVM.
snap="$out/classes"; rm -rf "$snap"; mkdir -p "$snap"
cp -a "$here/target/classes" "$snap/main" && cp -a "$here/target/test-classes" "$snap/test" || cannot "cannot copy target/classes"
cp="$snap/test:$snap/main:$(cat "$here/target/test.classpath")"
kernels=("$@"); [ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
mkdir -p "$out"
status=0
for k in "${kernels[@]}"; do
  prepare_kernel "$k"; rc=$?
  [ $rc = 2 ] && cannot "kernel $k unavailable"
  [ $rc = 0 ] || { status=1; continue; }
  res="$out/$k"; rm -rf "$res"; mkdir -p "$res"
  cat >"$res/guest.sh" <<GUEST
export HOME=/tmp/home PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin BPF4J_REQUIRE_KERNEL=1 BPF4J_GUEST=1
mkdir -p \$HOME; cd '$here'
'$JAVA' --enable-native-access=ALL-UNNAMED -Xss4m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '$cp' \
  org.bpf4j.testing.GuestRun /tmp/results $classes >/tmp/results/guest.log 2>&1
echo \$? >/tmp/results/exit
GUEST
  start=$(date +%s)
  for attempt in 1 2; do
    say "$k: booting $(cat "$kdir/release") (attempt $attempt)..."
    rm -f "$res/exit" "$res/summary"
    boot "$kdir" "$res"
    [ -f "$res/exit" ] && break
    cp "$res/console.log" "$res/console.$attempt.log"
    if grep -q -e 'Oops' -e 'Kernel panic' -e 'BUG:' "$res/console.log" && [ $attempt = 1 ]; then
      say "$k: the guest oopsed before finishing (console.$attempt.log); booting once more"
      continue
    fi
    break
  done
  secs=$(( $(date +%s) - start ))
  if [ ! -f "$res/exit" ]; then
    say "$k: the guest did not finish in ${timeout_s}s or crashed: see $res/console.log, $res/guest.log"
    tail -n 20 "$res/console.log" >&2
    status=1; continue
  fi
  summary=$(cat "$res/summary" 2>/dev/null || echo "no summary")
  say "$k ($(cat "$kdir/release")): $summary, ${secs}s"
  grep -h '^FAILED' "$res/results.txt" 2>/dev/null >&2
  [ "$(cat "$res/exit")" = 0 ] || status=1
done
exit $status
