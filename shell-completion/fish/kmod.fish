# SPDX-License-Identifier: LGPL-2.1-or-later
# fish completion for libmod's kmod and the six tools (installed once per command name).
# Module names come from modules.dep of the running kernel's tree, loaded ones from /proc/modules.

function __libmod_index_modules
	set -l dep /lib/modules/(uname -r)/modules.dep
	test -r $dep; and string replace -r ':.*' '' <$dep | string replace -r '.*/' '' | string replace -r '\.ko.*$' ''
end

function __libmod_loaded_modules
	test -r /proc/modules; and string replace -r ' .*' '' </proc/modules
end

function __libmod_versions
	for d in /lib/modules/*/
		basename $d
	end
end

# kmod
complete -c kmod -f -n __fish_use_subcommand -a help -d 'show help'
complete -c kmod -f -n __fish_use_subcommand -a list -d 'list loaded modules'
complete -c kmod -f -n __fish_use_subcommand -a static-nodes -d 'print the static device nodes'
complete -c kmod -f -n __fish_use_subcommand -s V -l version -d 'show version'
complete -c kmod -f -n __fish_use_subcommand -s h -l help -d 'show help'
complete -c kmod -x -n '__fish_seen_subcommand_from static-nodes' -s f -l format -a 'human tmpfiles devname' -d 'output format'
complete -c kmod -r -n '__fish_seen_subcommand_from static-nodes' -s o -l output -d 'output file'

# modprobe
complete -c modprobe -f -a '(__libmod_index_modules)' -n 'not __fish_seen_argument -s r -l remove'
complete -c modprobe -f -a '(__libmod_loaded_modules)' -n '__fish_seen_argument -s r -l remove'
complete -c modprobe -s a -l all -d 'load or remove every module named'
complete -c modprobe -s r -l remove -d 'remove modules'
complete -c modprobe -l remove-holders -d 'also remove the modules holding it'
complete -c modprobe -x -s w -l wait -d 'with -r, wait this long (ms) for a busy module'
complete -c modprobe -s R -l show-alias -d 'print the modules an alias resolves to'
complete -c modprobe -l first-time -d 'fail if nothing is to be done'
complete -c modprobe -s i -l ignore-install -l ignore-remove -d 'ignore install and remove commands'
complete -c modprobe -s b -l use-blacklist -d 'apply the blacklist to the name too'
complete -c modprobe -s f -l force -d 'ignore versions'
complete -c modprobe -l autoclean -d 'remove every loaded module nothing needs'
complete -c modprobe -l force-modversion -d 'ignore symbol versions'
complete -c modprobe -l force-vermagic -d 'ignore the version magic'
complete -c modprobe -l require-signature -d 'refuse modules not signed by a trusted key'
complete -c modprobe -l allow-unsigned -d 'ignore require_signature in modprobe.d'
complete -c modprobe -l no-rollback -d 'keep what was loaded when a dependency fails'
complete -c modprobe -s D -l show-depends -d 'print the load plan'
complete -c modprobe -s c -l show-config -d 'print the configuration'
complete -c modprobe -r -l show-modversions -d 'print the versions a module file needs'
complete -c modprobe -r -l show-exports -d 'print the symbols a module file exports'
complete -c modprobe -s n -l dry-run -d 'change nothing'
complete -c modprobe -r -s C -l config -d 'configuration file or directory'
complete -c modprobe -x -s d -l dirname -a '(__fish_complete_directories)' -d 'root of the module tree'
complete -c modprobe -x -s S -l set-version -a '(__libmod_versions)' -d 'kernel version'
complete -c modprobe -s s -l syslog -d 'log to syslog'
complete -c modprobe -s q -l quiet -d 'no messages'
complete -c modprobe -s v -l verbose -d 'more messages'
complete -c modprobe -l json -d 'print JSON'
complete -c modprobe -s V -l version -d 'show version'
complete -c modprobe -s h -l help -d 'show help'

# modinfo
complete -c modinfo -a '(__libmod_index_modules)'
complete -c modinfo -s a -l author -d 'print the author'
complete -c modinfo -s d -l description -d 'print the description'
complete -c modinfo -s l -l license -d 'print the license'
complete -c modinfo -s p -l parameters -d 'print the parameters'
complete -c modinfo -s n -l filename -d 'print the file name'
complete -c modinfo -s 0 -l null -d 'separate with NUL'
complete -c modinfo -s m -l modname -d 'arguments are module names'
complete -c modinfo -x -s F -l field -a 'alias author depends description filename firmware license name parm signer srcversion vermagic' -d 'print this field'
complete -c modinfo -x -s k -l set-version -a '(__libmod_versions)' -d 'kernel version'
complete -c modinfo -x -s b -l basedir -a '(__fish_complete_directories)' -d 'root of the module tree'
complete -c modinfo -l json -d 'print JSON'
complete -c modinfo -s V -l version -d 'show version'
complete -c modinfo -s h -l help -d 'show help'

# rmmod
complete -c rmmod -f -a '(__libmod_loaded_modules)'
complete -c rmmod -s f -l force -d 'force the removal'
complete -c rmmod -s s -l syslog -d 'log to syslog'
complete -c rmmod -s v -l verbose -d 'more messages'
complete -c rmmod -s V -l version -d 'show version'
complete -c rmmod -s h -l help -d 'show help'

# insmod: a module file, then its parameters
complete -c insmod -s f -l force -d 'ignore versions'
complete -c insmod -l force-modversion -d 'ignore symbol versions'
complete -c insmod -l force-vermagic -d 'ignore the version magic'
complete -c insmod -l require-signature -d 'refuse a module not signed by a trusted key'
complete -c insmod -s s -l syslog -d 'log to syslog'
complete -c insmod -s v -l verbose -d 'more messages'
complete -c insmod -s V -l version -d 'show version'
complete -c insmod -s h -l help -d 'show help'

# lsmod
complete -c lsmod -f
complete -c lsmod -s j -l json -d 'print JSON'
complete -c lsmod -s s -l syslog -d 'log to syslog'
complete -c lsmod -s v -l verbose -d 'more messages'
complete -c lsmod -s V -l version -d 'show version'
complete -c lsmod -s h -l help -d 'show help'

# depmod
complete -c depmod -a '(__libmod_versions)'
complete -c depmod -s a -l all -d 'index every module'
complete -c depmod -s A -l quick -d 'only when something changed'
complete -c depmod -x -s b -l basedir -a '(__fish_complete_directories)' -d 'root of the module tree'
complete -c depmod -x -s m -l moduledir -d 'module directory under the root'
complete -c depmod -x -s o -l outdir -a '(__fish_complete_directories)' -d 'output root'
complete -c depmod -r -s C -l config -d 'configuration file or directory'
complete -c depmod -r -s E -l symvers -d 'Module.symvers'
complete -c depmod -r -s F -l filesyms -d 'System.map'
complete -c depmod -s e -l errsyms -d 'report unknown symbols'
complete -c depmod -x -s j -l jobs -d 'threads'
complete -c depmod -l no-cache -d 'neither read nor write the module cache'
complete -c depmod -l rebuild-cache -d 'read every module, write a new cache'
complete -c depmod -l no-write-cache -d 'use the cache, leave it unchanged'
complete -c depmod -s n -l show -l dry-run -d 'write to standard output'
complete -c depmod -x -s P -l symbol-prefix -d 'symbol prefix'
complete -c depmod -s v -l verbose -d 'print every dependency'
complete -c depmod -s w -l warn -d 'warn about duplicates'
complete -c depmod -s V -l version -d 'show version'
complete -c depmod -s h -l help -d 'show help'
