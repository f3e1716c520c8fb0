# What a running process has mapped of its files, from /proc/PID/pagemap (run as root):
#   python3 Benchmarks/resident.py PID [N]
# Mapped MB per file; for the executable, per ELF section (readelf -SW) and, with N, the N largest
# (section, module) pairs by symbol (nm -S; Swift symbols by their module's name). Pages count as
# mapped when their pagemap entry's bit 63 is set: what RSS counts, fault-around included.
import sys, os, struct, subprocess, collections, bisect
pid=int(sys.argv[1]); exe=os.readlink(f"/proc/{pid}/exe")
maps=[]
for line in open(f"/proc/{pid}/maps"):
    p=line.split()
    a,b=[int(x,16) for x in p[0].split('-')]; off=int(p[2],16); path=p[5] if len(p)>5 else ''
    maps.append((a,b,off,path,p[1]))
pm=open(f"/proc/{pid}/pagemap",'rb')
def present(a,b):
    try:
        pm.seek(a//4096*8); data=pm.read((b-a)//4096*8)
    except OSError: return []
    if len(data) < (b-a)//4096*8: return []
    return [ (struct.unpack_from('<Q',data,i*8)[0]>>63)&1 for i in range((b-a)//4096)]
byfile=collections.Counter(); anon=0
exepages=set()
for a,b,off,path,perm in maps:
    pr=present(a,b); n=sum(pr)
    if path.startswith('/'): byfile[path]+=n
    else: anon+=n
    if path==exe:
        for i,x in enumerate(pr):
            if x: exepages.add(off//4096+i)
print(f"anon/other {anon*4/1024:.1f} MB")
for f,n in byfile.most_common(12): print(f"{n*4/1024:7.1f} MB {f}")
# sections of exe
out=subprocess.run(["readelf","-SW",exe],capture_output=True,text=True).stdout
secs=[]
for line in out.splitlines():
    line=line.replace('[ ','[')
    p=line.split()
    if len(p)>6 and p[0].startswith('[') and p[0]!='[Nr]':
        try: name=p[1]; addr=int(p[3],16); off=int(p[4],16); size=int(p[5],16)
        except: continue
        if size: secs.append((off,off+size,name,addr))
cnt=collections.Counter()
for pg in exepages:
    o=pg*4096
    for s0,s1,name,addr in secs:
        if s0<=o<s1: cnt[name]+=1; break
    else: cnt['?']+=1
print("exe by section:")
for k,v in cnt.most_common(15): print(f"  {v*4/1024:6.1f} MB {k}")
if len(sys.argv)>2:
    # symbols in .text/.rodata: count resident pages per symbol prefix module
    nm=subprocess.run(["nm","-S","--defined-only",exe],capture_output=True,text=True).stdout
    syms=[]
    for line in nm.splitlines():
        p=line.split()
        if len(p)==4:
            syms.append((int(p[0],16),int(p[1],16),p[3]))
    syms.sort()
    addrs=[s[0] for s in syms]
    # map file offset->vaddr using section table
    def vaddr(o):
        for s0,s1,name,addr in secs:
            if s0<=o<s1: return addr+(o-s0),name
        return None,None
    mod=collections.Counter()
    for pg in exepages:
        v,name=vaddr(pg*4096)
        if v is None: continue
        i=bisect.bisect_right(addrs,v)-1
        sname=syms[i][2] if i>=0 and syms[i][0]+max(syms[i][1],1)>v-4096 else '?'
        import re
        m=re.match(r'\$s(\d+)',sname)
        if m: n=int(m.group(1)); key=sname[2+len(m.group(1)):2+len(m.group(1))+n]
        else: key=sname[:30]
        mod[(name,key)]+=1
    for k,v in mod.most_common(int(sys.argv[2])): print(f"  {v*4/1024:6.2f} MB {k}")
