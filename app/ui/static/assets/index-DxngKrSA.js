(function(){let e=document.createElement(`link`).relList;if(e&&e.supports&&e.supports(`modulepreload`))return;for(let e of document.querySelectorAll(`link[rel="modulepreload"]`))n(e);new MutationObserver(e=>{for(let t of e)if(t.type===`childList`)for(let e of t.addedNodes)e.tagName===`LINK`&&e.rel===`modulepreload`&&n(e)}).observe(document,{childList:!0,subtree:!0});function t(e){let t={};return e.integrity&&(t.integrity=e.integrity),e.referrerPolicy&&(t.referrerPolicy=e.referrerPolicy),t.credentials=e.crossOrigin===`use-credentials`?`include`:e.crossOrigin===`anonymous`?`omit`:`same-origin`,t}function n(e){if(e.ep)return;e.ep=!0;let n=t(e);fetch(e.href,n)}})();var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),re(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,oe(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=D(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=re(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&M(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=O(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function D(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=te(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),ce(s,s));return r}function O(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=O(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function k(e,t){return t||=[],e!=null&&typeof e!=`boolean`&&(m(e)?e.some(function(e){k(e,t)}):t.push(e)),t}function te(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function A(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function ne(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||A(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||A(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=j(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function j(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function re(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,D,O,k,te,A,ne,j,re,oe,M,N=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=ie(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);e:if(typeof N==`function`){v=s.length;try{if(E=n.props,D=(p=N.prototype)&&p.render,O=(p=N.contextType)&&i[p.__c],k=p?O?O.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(D?n.__c=y=new N(E,k):(n.__c=y=new x(E,k),y.constructor=N,y.render=le),O&&O.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),D&&(y.__s||(y.__s=y.state),N.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,N.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&D&&!N.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,k),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,k)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break e}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,k),D&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else D&&!N.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),D&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=k,y.props=E,y.__P=t,y.__g&=-5,te=e.__r,A=D?25:0;do y.__g&=-9,te&&te(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++A<25);D&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),D&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),ne=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&ce(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=ee(t,m(ne)?ne:[ne],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(oe=o.indexOf(c||void 0))||(oe=o.length);(M=o[oe-1])&&M.nodeType==8;)oe--;for(;oe<o.length;oe++)if(M=o[oe]){if(o[oe]=null,j){if(M==re)break}else{if(M.nodeType!=8)break;M.data.startsWith(`$s`)&&(re=ie(j=M))}}}if(!j){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;j=c}(p=ie(j=n.__c.__z||(n.__c.__z=j)))?(n.__e=j,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||ae(n),e.__e(t,n,r)}}else c=n.__e=se(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function ie(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function ae(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(ae))}function oe(t,n,r){for(var i=0;i<r.length;)M(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function se(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,D=n.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(D?b.localName==D:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!D)return w.createTextNode(E);t=w.createElementNS(a,D,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(D){if(u=D==`template`&&t.content||t,o=D==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||ne(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||ne(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&D!=`textarea`||(f=`value`,D==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(D!=`progress`||x)||ne(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&ne(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function M(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function ce(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||M(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&ce(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=ie(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function le(e,t,n){return this.constructor(e,n)}function N(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],re(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),oe(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var ue,P,de,fe,pe=Object.is,me=0,he=[],ge=[],F=e,_e=F.__b,ve=F.__r,ye=F.diffed,be=F.__c,xe=F.unmount,Se=F.__;function Ce(e,t){F.__h&&F.__h(P,e,me||t),me=0;var n=P.__H||(P.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function I(e){return me=1,we(Pe,e)}function we(e,t,n){var r=Ce(ue++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Pe(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);pe(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=P,!P.__f)){P.__f=!0;var i=P.shouldComponentUpdate;P.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,pe(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function L(e,t){var n=Ce(ue++,3);!F.__s&&Ne(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,P.__H.__h.push(n))}function Te(e){return me=5,R(function(){return{current:e}},[])}function R(e,t){var n=Ce(ue++,7);return Ne(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function Ee(e,t){return me=8,R(function(){return e},t)}function De(){var e;do{for(;e=ge.shift();)try{je(e)}catch(t){F.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=he.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(je),t.__h.some(Me),t.__h=[]}catch(n){t.__h=[],F.__e(n,e.__v)}}}while(ge.length)}F.__b=function(e){P=null,_e&&_e(e)},F.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Se&&Se(e,t)},F.__r=function(e){ve&&ve(e),ue=0;var t=(P=e.__c).__H;t&&(de==P?P.__h=[]:(t.__h.some(je),t.__h.some(Me),ue=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),de=P},F.diffed=function(e){ye&&ye(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&Ae(he.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),de=P=null},F.__c=function(e,t){t.some(function(e){try{e.__h.some(je),e.__h=e.__h.filter(function(e){return!e.__||Me(e)})}catch(t){e.__h=[function(){throw t}]}}),be&&be(e,t)},F.unmount=function(e){xe&&xe(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,Ae(ge.push(r))}else je(r)}catch(e){t=e}}),r.__H=void 0,t&&F.__e(t,r.__v))};var Oe=typeof requestAnimationFrame==`function`;function ke(e){var t,n=function(){clearTimeout(r),Oe&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);Oe&&(t=requestAnimationFrame(n))}function Ae(e){e!=1&&fe==F.requestAnimationFrame||((fe=F.requestAnimationFrame)||ke)(De)}function je(e){var t=P,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),P=t}function Me(e){var t=P;e.__c=e.__(),P=t}function Ne(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!pe(t,e[n])})}function Pe(e,t){return typeof t==`function`?t(e):t}function z(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function Fe(e){return z(e)===`object`}function Ie(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function Le(e,t){return e.length<124?e:t}var B=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(B||{}),V=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(V||{});function Re(e){if(!Fe(e))throw Error(`Message is expected to be an object, but got ${z(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${z(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!Fe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Fe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${z(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${z(e.payload.query)}`);if(e.payload.variables!=null&&!Fe(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${z(e.payload.variables)}`);if(e.payload.operationName!=null&&z(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${z(e.payload.operationName)}`);if(e.payload.extensions!=null&&!Fe(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${z(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Fe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${z(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Ie(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${z(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function ze(e,t){return Re(typeof e==`string`?JSON.parse(e,t):e)}function Be(e,t){return Re(e),JSON.stringify(e,t)}function Ve(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=Ue,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!Ge(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function ee(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(Be({type:V.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof He&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(Be(e?{type:V.ConnectionInit,payload:e}:{type:V.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(B.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(B.InternalClientError,Le(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=ze(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(Be(n.payload?{type:V.Pong,payload:n.payload}:{type:V.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==V.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(B.BadResponse,Le(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function D(e){if(Ue(e)&&(We(e.code)||[B.InternalServerError,B.InternalClientError,B.BadRequest,B.BadResponse,B.Unauthorized,B.SubprotocolNotAcceptable,B.SubscriberAlreadyExists,B.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(Ue(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await ee();await e}catch(e){try{if(!D(e))return}catch(e){return i?.(e)}}})();function O(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await ee();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case V.Next:t.next(e.payload);return;case V.Error:i=!0,r=!0,t.error(e.payload),a();return;case V.Complete:r=!0,a();return}});o.send(Be({id:n,type:V.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(Be({id:n,type:V.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!D(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:O,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=O(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new He)}}}var He=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function Ue(e){return Fe(e)&&`code`in e&&`reason`in e}function We(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function Ge(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}function Ke(e){let t=e,n=new Set;return{get:()=>t,set(e){if(!Object.is(e,t)){t=e;for(let e of[...n])e(t)}},subscribe(e){return n.add(e),()=>n.delete(e)}}}function H(e){let[t,n]=I(e.get());return L(()=>(n(e.get()),e.subscribe(n)),[e]),t}var qe=`flowdeck.key`,U=Ke(sessionStorage.getItem(qe));function Je(e){sessionStorage.setItem(qe,e),U.set(e)}function Ye(e=null){sessionStorage.removeItem(qe),Xe.set(e),U.set(null),rt()}var Xe=Ke(null),Ze=class extends Error{code;position;constructor(e,t=null,n=null){super(e),this.code=t,this.position=n}};function Qe(e){let t=e[0];return new Ze(t.message,t.extensions?.code??null,t.extensions?.position??null)}function $e(e){return`operationName`in e&&typeof e.operationName==`string`?e.operationName:void 0}async function W(e,t){let n=U.get(),r;try{r=await fetch(`/graphql`,{method:`POST`,headers:{"content-type":`application/json`,...n?{authorization:`Bearer ${n}`}:{}},body:JSON.stringify({query:e.toString(),operationName:$e(e),variables:t??{}})})}catch(e){throw new Ze(`The server did not answer: ${e.message}`)}let i;try{i=await r.json()}catch{throw new Ze(`The server answered ${r.status} ${r.statusText}`)}if(i.errors?.length){let e=Qe(i.errors);throw e.code===`UNAUTHENTICATED`&&Ye(e.message),e}if(!i.data)throw new Ze(`The server answered ${r.status} with no data`);return i.data}var et=Ke(`closed`),tt=null;function nt(){return tt||(tt=Ve({url:`${location.protocol===`https:`?`wss`:`ws`}://${location.host}/graphql`,lazy:!0,retryAttempts:1/0,shouldRetry:()=>!0,retryWait:async e=>{await new Promise(t=>setTimeout(t,Math.min(500*2**e,5e3)))},connectionParams:()=>({Authorization:`Bearer ${U.get()??``}`}),on:{connecting:()=>et.set(`connecting`),connected:()=>et.set(`connected`),closed:e=>{et.set(`closed`),e?.code===4403&&Ye(e.reason||`The key was refused.`)}}}),tt)}function rt(){tt?.dispose(),tt=null,et.set(`closed`)}function it(e,t,n,r=()=>void 0){return nt().subscribe({query:e.toString(),operationName:$e(e),variables:t},{next:e=>{e.errors?.length?r(Qe(e.errors)):e.data&&n(e.data)},error:e=>{Array.isArray(e)?r(Qe(e)):e instanceof Error&&r(new Ze(e.message))},complete:()=>void 0})}async function at(e){let t=U.get(),n=await fetch(e,{headers:t?{authorization:`Bearer ${t}`}:{}});if(!n.ok)throw new Ze(`Download failed: ${n.status} ${await n.text()}`);return n.blob()}function ot(e,t){let n=document.createElement(`a`);n.href=URL.createObjectURL(e),n.download=t,document.body.append(n),n.click(),n.remove(),setTimeout(()=>URL.revokeObjectURL(n.href),1e4)}var st=Ke(localStorage.getItem(`flowdeck.utc`)===`1`);st.subscribe(e=>localStorage.setItem(`flowdeck.utc`,e?`1`:`0`));function ct(e,t=Date.now()){if(!e)return`—`;let n=Math.round((t-new Date(e).getTime())/1e3),r=n<0,i=Math.abs(n),a;return i<5?`just now`:(a=i<60?`${i} s`:i<3600?`${Math.floor(i/60)} min`:i<86400?`${Math.floor(i/3600)} h`:`${Math.floor(i/86400)} d`,r?`in ${a}`:`${a} ago`)}function lt(e,t=st.get()){if(!e)return``;let n=new Date(e);return t?`${n.toISOString().replace(`T`,` `).slice(0,19)} UTC`:n.toLocaleString(void 0,{hour12:!1})}function ut(e){return e==null?`—`:e<1?`${Math.round(e*1e3)} ms`:e<60?`${e.toFixed(1)} s`:e<3600?`${Math.floor(e/60)} min ${Math.round(e%60)} s`:`${Math.floor(e/3600)} h ${Math.floor(e%3600/60)} min`}var dt=Symbol.for(`pv`),ft=0;Array.isArray;function G(t,n,r,i,a,o){n||={};var s,c,l=n;if(`ref`in l&&typeof t!=`function`)for(c in l={},n)c==`ref`?s=n[c]:l[c]=n[c];var u={type:t,props:l,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:dt,__v:--ft,__i:-1,__u:0};return(a||o)&&(u.__source=a,u.__self=o),e.vnode&&e.vnode(u),u}function pt(e,t=0){let n=[],r=null,i=null,a=0,o=()=>{r=null,a=performance.now();let t=n;n=[],t.length&&e(t)};return{push(e){if(n.push(e),r!==null||i!==null)return;let s=a+t-performance.now();s<=0?r=requestAnimationFrame(o):i=setTimeout(()=>{i=null,r=requestAnimationFrame(o)},s)},cancel(){r!==null&&cancelAnimationFrame(r),i!==null&&clearTimeout(i),r=null,i=null,n=[]}}}var mt=null,ht=new Set;function gt(){let[e,t]=I(Date.now());return L(()=>{let e=()=>t(Date.now());return ht.add(e),mt??=setInterval(()=>ht.forEach(e=>e()),5e3),()=>{ht.delete(e),!ht.size&&mt&&(clearInterval(mt),mt=null)}},[]),e}function K({at:e}){let t=gt(),n=H(st);return e?G(`time`,{dateTime:e,title:lt(e,n),children:ct(e,t)}):G(`span`,{class:`muted`,children:`—`})}function _t({status:e}){return G(`span`,{class:`badge status-${e}`,children:e.replace(`_`,` `)})}function q({error:e}){return e?G(`div`,{class:`error-box`,role:`alert`,children:e instanceof Error?e.message:String(e)}):null}function vt({text:e,label:t=`Copy`}){let[n,r]=I(!1);return G(`button`,{type:`button`,class:`small ghost`,title:`Copy ${e}`,onClick:async()=>{try{await navigator.clipboard.writeText(e)}catch{}r(!0),setTimeout(()=>r(!1),1200)},children:n?`Copied`:t})}function yt({value:e,label:t}){let n=e==null?`null`:JSON.stringify(e,null,2);return G(`details`,{class:`json`,open:n.length<2e3,children:[G(`summary`,{children:[t,` `,G(vt,{text:n})]}),G(`pre`,{children:n})]})}function bt({title:e,children:t,onClose:n}){return L(()=>{let e=e=>e.key===`Escape`&&n();return addEventListener(`keydown`,e),()=>removeEventListener(`keydown`,e)},[n]),G(`div`,{class:`backdrop`,onClick:e=>e.target===e.currentTarget&&n(),children:G(`div`,{class:`dialog`,role:`dialog`,"aria-modal":`true`,"aria-label":e,children:[G(`h2`,{children:e}),t]})})}function xt(){let[e,t]=I(document.visibilityState!==`hidden`);return L(()=>{let e=()=>t(document.visibilityState!==`hidden`);return document.addEventListener(`visibilitychange`,e),()=>document.removeEventListener(`visibilitychange`,e)},[]),e}function St({what:e}){return G(`p`,{class:`not-offered`,role:`status`,children:[`This server does not offer `,e,` yet.`]})}var Ct=`# Bulk jobs (JOBS.md), written against the contract's SDL (../shared/contract/schema.graphql);
# sent only to a server whose introspection shows \`bulkJobs\`. tests/test_ui_contract_operations.py
# validates this file against the contract.
fragment BulkJobFields on BulkJob {
  id
  action
  status
  filter
  matched
  processed
  succeeded
  failed
  progress
  error
  initiatedBy
  createdAt
}

query BulkJobs {
  bulkJobs(first: 50) {
    edges {
      node {
        ...BulkJobFields
      }
    }
  }
}

subscription BulkJob($id: ID!) {
  bulkJob(id: $id) {
    ...BulkJobFields
  }
}

mutation CancelBulkJob($id: ID!) {
  cancelBulkJob(id: $id) {
    errors {
      code
      message
    }
  }
}

mutation BackgroundBulkRunAction($input: BulkRunActionInput!) {
  bulkRunAction(input: $input) {
    matched
    job {
      ...BulkJobFields
    }
    errors {
      code
      message
    }
  }
}
`,J=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},wt=new J(`
    fragment RunRow on Run {
  id
  status
  workflowVersion
  initiatedBy
  priority
  tenant
  errorCount
  createdAt
  startedAt
  finishedAt
  durationSeconds
  subject {
    type
    id
    name
  }
  workflow {
    key
    name
  }
  tags {
    key
    value
  }
  error {
    message
  }
}
    `,{fragmentName:`RunRow`}),Tt=new J(`
    fragment StepFields on StepRun {
  id
  ref
  name
  type
  status
  attempt
  dependsOn
  iteration
  parentRef
  output
  error
  reason
  createdAt
  startedAt
  finishedAt
  waitingFor
  availableActions
}
    `,{fragmentName:`StepFields`}),Et=new J(`
    fragment EventFields on RunEvent {
  seq
  at
  type
  stepRef
  stepType
  attempt
  ok
  actor
  reason
  data
}
    `,{fragmentName:`EventFields`}),Dt={"\n  query Me {\n    me {\n      name\n      role\n      project {\n        key\n      }\n    }\n  }\n":new J(`
    query Me {
  me {
    name
    role
    project {
      key
    }
  }
}
    `),"\n  fragment RunRow on Run {\n    id\n    status\n    workflowVersion\n    initiatedBy\n    priority\n    tenant\n    errorCount\n    createdAt\n    startedAt\n    finishedAt\n    durationSeconds\n    subject {\n      type\n      id\n      name\n    }\n    workflow {\n      key\n      name\n    }\n    tags {\n      key\n      value\n    }\n    error {\n      message\n    }\n  }\n":wt,"\n  query Runs(\n    $filter: String\n    $search: String\n    $orderBy: [RunOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    runs(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n":new J(`
    query Runs($filter: String, $search: String, $orderBy: [RunOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  runs(
    filter: $filter
    search: $search
    orderBy: $orderBy
    first: $first
    after: $after
    last: $last
    before: $before
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        ...RunRow
      }
    }
  }
}
    fragment RunRow on Run {
  id
  status
  workflowVersion
  initiatedBy
  priority
  tenant
  errorCount
  createdAt
  startedAt
  finishedAt
  durationSeconds
  subject {
    type
    id
    name
  }
  workflow {
    key
    name
  }
  tags {
    key
    value
  }
  error {
    message
  }
}`),"\n  query RunStats($filter: String) {\n    runStats(filter: $filter) {\n      total\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n":new J(`
    query RunStats($filter: String) {
  runStats(filter: $filter) {
    total
    byStatus {
      status
      count
    }
  }
}
    `),"\n  subscription RunChanged($filter: String) {\n    runChanged(filter: $filter) {\n      ...RunRow\n    }\n  }\n":new J(`
    subscription RunChanged($filter: String) {
  runChanged(filter: $filter) {
    ...RunRow
  }
}
    fragment RunRow on Run {
  id
  status
  workflowVersion
  initiatedBy
  priority
  tenant
  errorCount
  createdAt
  startedAt
  finishedAt
  durationSeconds
  subject {
    type
    id
    name
  }
  workflow {
    key
    name
  }
  tags {
    key
    value
  }
  error {
    message
  }
}`),"\n  query WorkflowKeys {\n    workflows(first: 100) {\n      edges {\n        node {\n          key\n          name\n        }\n      }\n    }\n  }\n":new J(`
    query WorkflowKeys {
  workflows(first: 100) {
    edges {
      node {
        key
        name
      }
    }
  }
}
    `),"\n  mutation BulkRunAction($input: BulkRunActionInput!) {\n    bulkRunAction(input: $input) {\n      matched\n      succeeded\n      failed\n      dryRun\n      failures {\n        runId\n        code\n        message\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation BulkRunAction($input: BulkRunActionInput!) {
  bulkRunAction(input: $input) {
    matched
    succeeded
    failed
    dryRun
    failures {
      runId
      code
      message
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation UnblockRuns($input: UnblockRunsInput!) {\n    unblockRuns(input: $input) {\n      matched\n      succeeded\n      failed\n      dryRun\n      failures {\n        runId\n        code\n        message\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation UnblockRuns($input: UnblockRunsInput!) {
  unblockRuns(input: $input) {
    matched
    succeeded
    failed
    dryRun
    failures {
      runId
      code
      message
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ExportRuns($input: ExportRunsInput!) {\n    exportRuns(input: $input) {\n      job {\n        id\n        status\n        progress\n        rowCount\n        url\n        error\n        format\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation ExportRuns($input: ExportRunsInput!) {
  exportRuns(input: $input) {
    job {
      id
      status
      progress
      rowCount
      url
      error
      format
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  subscription ExportJobProgress($id: ID!) {\n    exportJob(id: $id) {\n      id\n      status\n      progress\n      rowCount\n      url\n      error\n      format\n    }\n  }\n":new J(`
    subscription ExportJobProgress($id: ID!) {
  exportJob(id: $id) {
    id
    status
    progress
    rowCount
    url
    error
    format
  }
}
    `),"\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      id\n      status\n      progress\n      rowCount\n      url\n      error\n      format\n      filter\n      createdAt\n    }\n  }\n":new J(`
    query ExportJob($id: ID!) {
  exportJob(id: $id) {
    id
    status
    progress
    rowCount
    url
    error
    format
    filter
    createdAt
  }
}
    `),"\n  fragment StepFields on StepRun {\n    id\n    ref\n    name\n    type\n    status\n    attempt\n    dependsOn\n    iteration\n    parentRef\n    output\n    error\n    reason\n    createdAt\n    startedAt\n    finishedAt\n    waitingFor\n    availableActions\n  }\n":Tt,"\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      workflowVersion\n      triggeredBy\n      initiatedBy\n      priority\n      tenant\n      reason\n      dryRun\n      visibility\n      input\n      output\n      errorCount\n      createdAt\n      startedAt\n      finishedAt\n      durationSeconds\n      availableActions\n      subject {\n        type\n        id\n        name\n      }\n      error {\n        message\n        type\n        stepRef\n      }\n      workflow {\n        key\n        name\n      }\n      project {\n        key\n      }\n      tags {\n        key\n        value\n      }\n      retryOf {\n        id\n        status\n      }\n      restartOf {\n        id\n        status\n      }\n      parentRun {\n        id\n        status\n      }\n      childRuns {\n        id\n        status\n        workflow {\n          key\n        }\n        parentStep {\n          ref\n        }\n      }\n      steps(includeLoopIterations: true) {\n        ...StepFields\n      }\n      events(first: 1) {\n        totalCount\n      }\n    }\n  }\n":new J(`
    query Run($id: ID!) {
  run(id: $id) {
    id
    status
    workflowVersion
    triggeredBy
    initiatedBy
    priority
    tenant
    reason
    dryRun
    visibility
    input
    output
    errorCount
    createdAt
    startedAt
    finishedAt
    durationSeconds
    availableActions
    subject {
      type
      id
      name
    }
    error {
      message
      type
      stepRef
    }
    workflow {
      key
      name
    }
    project {
      key
    }
    tags {
      key
      value
    }
    retryOf {
      id
      status
    }
    restartOf {
      id
      status
    }
    parentRun {
      id
      status
    }
    childRuns {
      id
      status
      workflow {
        key
      }
      parentStep {
        ref
      }
    }
    steps(includeLoopIterations: true) {
      ...StepFields
    }
    events(first: 1) {
      totalCount
    }
  }
}
    fragment StepFields on StepRun {
  id
  ref
  name
  type
  status
  attempt
  dependsOn
  iteration
  parentRef
  output
  error
  reason
  createdAt
  startedAt
  finishedAt
  waitingFor
  availableActions
}`),"\n  fragment EventFields on RunEvent {\n    seq\n    at\n    type\n    stepRef\n    stepType\n    attempt\n    ok\n    actor\n    reason\n    data\n  }\n":Et,"\n  query RunEvents($id: ID!, $after: Int, $first: Int) {\n    run(id: $id) {\n      id\n      events(after: $after, first: $first) {\n        totalCount\n        edges {\n          node {\n            ...EventFields\n          }\n        }\n      }\n    }\n  }\n":new J(`
    query RunEvents($id: ID!, $after: Int, $first: Int) {
  run(id: $id) {
    id
    events(after: $after, first: $first) {
      totalCount
      edges {
        node {
          ...EventFields
        }
      }
    }
  }
}
    fragment EventFields on RunEvent {
  seq
  at
  type
  stepRef
  stepType
  attempt
  ok
  actor
  reason
  data
}`),"\n  subscription RunEventsLive($runId: ID!, $after: Int) {\n    runEvents(runId: $runId, after: $after) {\n      ...EventFields\n    }\n  }\n":new J(`
    subscription RunEventsLive($runId: ID!, $after: Int) {
  runEvents(runId: $runId, after: $after) {
    ...EventFields
  }
}
    fragment EventFields on RunEvent {
  seq
  at
  type
  stepRef
  stepType
  attempt
  ok
  actor
  reason
  data
}`),"\n  subscription RunUpdatesLive($runId: ID!) {\n    runUpdates(runId: $runId) {\n      seq\n      at\n      type\n      message\n      details\n    }\n  }\n":new J(`
    subscription RunUpdatesLive($runId: ID!) {
  runUpdates(runId: $runId) {
    seq
    at
    type
    message
    details
  }
}
    `),"\n  mutation CancelRun($input: RunActionInput!) {\n    cancelRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation CancelRun($input: RunActionInput!) {
  cancelRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation TerminateRun($input: RunActionInput!) {\n    terminateRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation TerminateRun($input: RunActionInput!) {
  terminateRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation PauseRun($input: RunActionInput!) {\n    pauseRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation PauseRun($input: RunActionInput!) {
  pauseRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ResumeRun($input: RunActionInput!) {\n    resumeRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation ResumeRun($input: RunActionInput!) {
  resumeRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RetryRun($input: RunActionInput!) {\n    retryRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation RetryRun($input: RunActionInput!) {
  retryRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RestartRun($input: RunActionInput!) {\n    restartRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation RestartRun($input: RunActionInput!) {
  restartRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation SignalRun($input: SignalRunInput!) {\n    signalRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation SignalRun($input: SignalRunInput!) {
  signalRun(input: $input) {
    run {
      id
      status
    }
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ApproveStep($input: StepActionInput!) {\n    approveStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation ApproveStep($input: StepActionInput!) {
  approveStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RejectStep($input: StepActionInput!) {\n    rejectStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation RejectStep($input: StepActionInput!) {
  rejectStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation SkipStep($input: StepActionInput!) {\n    skipStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation SkipStep($input: StepActionInput!) {
  skipStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RetryStep($input: StepActionInput!) {\n    retryStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation RetryStep($input: StepActionInput!) {
  retryStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ReplaySubtree($input: StepActionInput!) {\n    replaySubtree(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation ReplaySubtree($input: StepActionInput!) {
  replaySubtree(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ForceCompleteStep($input: ForceCompleteStepInput!) {\n    forceCompleteStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new J(`
    mutation ForceCompleteStep($input: ForceCompleteStepInput!) {
  forceCompleteStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  query Workflows {\n    workflows(first: 100) {\n      totalCount\n      edges {\n        node {\n          key\n          name\n          description\n          version\n          updatedAt\n          project {\n            key\n          }\n        }\n      }\n    }\n  }\n":new J(`
    query Workflows {
  workflows(first: 100) {
    totalCount
    edges {
      node {
        key
        name
        description
        version
        updatedAt
        project {
          key
        }
      }
    }
  }
}
    `),"\n  query Workflow($key: String!, $project: String) {\n    workflow(key: $key, project: $project) {\n      key\n      name\n      description\n      version\n      project {\n        key\n      }\n      versions {\n        version\n        createdAt\n        createdBy\n        maxParallelSteps\n        steps {\n          ref\n          name\n          type\n          dependsOn\n        }\n      }\n    }\n  }\n":new J(`
    query Workflow($key: String!, $project: String) {
  workflow(key: $key, project: $project) {
    key
    name
    description
    version
    project {
      key
    }
    versions {
      version
      createdAt
      createdBy
      maxParallelSteps
      steps {
        ref
        name
        type
        dependsOn
      }
    }
  }
}
    `),"\n  mutation StartRun($input: StartRunInput!) {\n    startRun(input: $input) {\n      run {\n        id\n      }\n      errors {\n        code\n        message\n        field\n      }\n    }\n  }\n":new J(`
    mutation StartRun($input: StartRunInput!) {
  startRun(input: $input) {
    run {
      id
    }
    errors {
      code
      message
      field
    }
  }
}
    `),'\n  query QueryFields {\n    __type(name: "Query") {\n      fields {\n        name\n      }\n    }\n  }\n':new J(`
    query QueryFields {
  __type(name: "Query") {
    fields {
      name
    }
  }
}
    `)};function Y(e){return Dt[e]??{}}var Ot=Y(`
  query Me {
    me {
      name
      role
      project {
        key
      }
    }
  }
`);Y(`
  fragment RunRow on Run {
    id
    status
    workflowVersion
    initiatedBy
    priority
    tenant
    errorCount
    createdAt
    startedAt
    finishedAt
    durationSeconds
    subject {
      type
      id
      name
    }
    workflow {
      key
      name
    }
    tags {
      key
      value
    }
    error {
      message
    }
  }
`);var kt=Y(`
  query Runs(
    $filter: String
    $search: String
    $orderBy: [RunOrder!]
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    runs(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          ...RunRow
        }
      }
    }
  }
`),At=Y(`
  query RunStats($filter: String) {
    runStats(filter: $filter) {
      total
      byStatus {
        status
        count
      }
    }
  }
`),jt=Y(`
  subscription RunChanged($filter: String) {
    runChanged(filter: $filter) {
      ...RunRow
    }
  }
`),Mt=Y(`
  query WorkflowKeys {
    workflows(first: 100) {
      edges {
        node {
          key
          name
        }
      }
    }
  }
`),Nt=Y(`
  mutation BulkRunAction($input: BulkRunActionInput!) {
    bulkRunAction(input: $input) {
      matched
      succeeded
      failed
      dryRun
      failures {
        runId
        code
        message
      }
      errors {
        code
        message
      }
    }
  }
`),Pt=Y(`
  mutation UnblockRuns($input: UnblockRunsInput!) {
    unblockRuns(input: $input) {
      matched
      succeeded
      failed
      dryRun
      failures {
        runId
        code
        message
      }
      errors {
        code
        message
      }
    }
  }
`),Ft=Y(`
  mutation ExportRuns($input: ExportRunsInput!) {
    exportRuns(input: $input) {
      job {
        id
        status
        progress
        rowCount
        url
        error
        format
      }
      errors {
        code
        message
      }
    }
  }
`),It=Y(`
  subscription ExportJobProgress($id: ID!) {
    exportJob(id: $id) {
      id
      status
      progress
      rowCount
      url
      error
      format
    }
  }
`),Lt=Y(`
  query ExportJob($id: ID!) {
    exportJob(id: $id) {
      id
      status
      progress
      rowCount
      url
      error
      format
      filter
      createdAt
    }
  }
`);Y(`
  fragment StepFields on StepRun {
    id
    ref
    name
    type
    status
    attempt
    dependsOn
    iteration
    parentRef
    output
    error
    reason
    createdAt
    startedAt
    finishedAt
    waitingFor
    availableActions
  }
`);var Rt=Y(`
  query Run($id: ID!) {
    run(id: $id) {
      id
      status
      workflowVersion
      triggeredBy
      initiatedBy
      priority
      tenant
      reason
      dryRun
      visibility
      input
      output
      errorCount
      createdAt
      startedAt
      finishedAt
      durationSeconds
      availableActions
      subject {
        type
        id
        name
      }
      error {
        message
        type
        stepRef
      }
      workflow {
        key
        name
      }
      project {
        key
      }
      tags {
        key
        value
      }
      retryOf {
        id
        status
      }
      restartOf {
        id
        status
      }
      parentRun {
        id
        status
      }
      childRuns {
        id
        status
        workflow {
          key
        }
        parentStep {
          ref
        }
      }
      steps(includeLoopIterations: true) {
        ...StepFields
      }
      events(first: 1) {
        totalCount
      }
    }
  }
`);Y(`
  fragment EventFields on RunEvent {
    seq
    at
    type
    stepRef
    stepType
    attempt
    ok
    actor
    reason
    data
  }
`);var zt=Y(`
  query RunEvents($id: ID!, $after: Int, $first: Int) {
    run(id: $id) {
      id
      events(after: $after, first: $first) {
        totalCount
        edges {
          node {
            ...EventFields
          }
        }
      }
    }
  }
`),Bt=Y(`
  subscription RunEventsLive($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      ...EventFields
    }
  }
`),Vt=Y(`
  subscription RunUpdatesLive($runId: ID!) {
    runUpdates(runId: $runId) {
      seq
      at
      type
      message
      details
    }
  }
`),Ht=Y(`
  mutation CancelRun($input: RunActionInput!) {
    cancelRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Ut=Y(`
  mutation TerminateRun($input: RunActionInput!) {
    terminateRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Wt=Y(`
  mutation PauseRun($input: RunActionInput!) {
    pauseRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Gt=Y(`
  mutation ResumeRun($input: RunActionInput!) {
    resumeRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Kt=Y(`
  mutation RetryRun($input: RunActionInput!) {
    retryRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),qt=Y(`
  mutation RestartRun($input: RunActionInput!) {
    restartRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Jt=Y(`
  mutation SignalRun($input: SignalRunInput!) {
    signalRun(input: $input) {
      run {
        id
        status
      }
      errors {
        code
        message
      }
    }
  }
`),Yt=Y(`
  mutation ApproveStep($input: StepActionInput!) {
    approveStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Xt=Y(`
  mutation RejectStep($input: StepActionInput!) {
    rejectStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Zt=Y(`
  mutation SkipStep($input: StepActionInput!) {
    skipStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Qt=Y(`
  mutation RetryStep($input: StepActionInput!) {
    retryStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),$t=Y(`
  mutation ReplaySubtree($input: StepActionInput!) {
    replaySubtree(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),en=Y(`
  mutation ForceCompleteStep($input: ForceCompleteStepInput!) {
    forceCompleteStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),tn=Y(`
  query Workflows {
    workflows(first: 100) {
      totalCount
      edges {
        node {
          key
          name
          description
          version
          updatedAt
          project {
            key
          }
        }
      }
    }
  }
`),nn=Y(`
  query Workflow($key: String!, $project: String) {
    workflow(key: $key, project: $project) {
      key
      name
      description
      version
      project {
        key
      }
      versions {
        version
        createdAt
        createdBy
        maxParallelSteps
        steps {
          ref
          name
          type
          dependsOn
        }
      }
    }
  }
`),rn=Y(`
  mutation StartRun($input: StartRunInput!) {
    startRun(input: $input) {
      run {
        id
      }
      errors {
        code
        message
        field
      }
    }
  }
`),an=Y(`
  query QueryFields {
    __type(name: "Query") {
      fields {
        name
      }
    }
  }
`),on=null;function sn(){return on??=W(an).then(e=>new Set((e.__type?.fields??[]).map(e=>e.name))),on.catch(()=>{on=null}),on}function X(e,t){return{toString:()=>e,operationName:t}}var cn=Ke(null),ln=[`VIEWER`,`OPERATOR`,`ADMIN`,`SUPERADMIN`];function un(e){let t=cn.get();return!!t&&ln.indexOf(t.role)>=ln.indexOf(e)}function dn(){let e=/^#key=(.+)$/.exec(location.hash);e&&(history.replaceState(null,``,location.pathname+location.search),Je(decodeURIComponent(e[1])))}async function fn(){if(cn.set(null),U.get())try{let e=await W(Ot);Xe.set(null),cn.set(e.me)}catch(e){e instanceof Ze&&e.code===`UNAUTHENTICATED`||Xe.set(e.message)}}var pn=typeof BroadcastChannel==`function`?new BroadcastChannel(`flowdeck-key`):null;pn?.addEventListener(`message`,e=>{e.data.type===`ask`&&U.get()?pn.postMessage({type:`key`,key:U.get()}):e.data.type===`key`&&e.data.key&&!U.get()&&Je(e.data.key)});function mn(){U.get()||pn?.postMessage({type:`ask`})}var hn=X(Ct,`BulkJobs`),gn=X(Ct,`BulkJob`),_n=X(Ct,`BackgroundBulkRunAction`),vn=X(Ct,`CancelBulkJob`),yn=new Set([`PENDING`,`RUNNING`]),bn=`flowdeck.exports`;function xn(){try{return JSON.parse(localStorage.getItem(bn)??`[]`)}catch{return[]}}function Sn(e){localStorage.setItem(bn,JSON.stringify([e,...xn().filter(t=>t!==e)].slice(0,20)))}function Cn({id:e}){let[t,n]=I(null),[r,i]=I(null);L(()=>{W(Lt,{id:e}).then(e=>n(e.exportJob??null)).catch(i)},[e]);let a=t!==null&&yn.has(t.status);return L(()=>{if(a)return it(It,{id:e},e=>n(t=>({...t,...e.exportJob})),i)},[e,a]),t?G(`tr`,{"data-export":t.id,"data-status":t.status,children:[G(`td`,{children:t.format}),G(`td`,{children:t.status}),G(`td`,{children:[G(`progress`,{max:1,value:t.progress}),` `,t.rowCount,` rows`]}),G(`td`,{children:G(`code`,{children:t.filter??``})}),G(`td`,{children:[t.status===`COMPLETED`&&t.url&&G(`button`,{type:`button`,class:`small`,onClick:async()=>{try{ot(await at(t.url),`runs.${t.format===`CSV`?`csv`:`jsonl`}`)}catch(e){i(e)}},children:`Download`}),t.error&&G(`span`,{class:`err`,children:t.error}),G(q,{error:r})]})]}):r?G(`tr`,{children:G(`td`,{colSpan:5,children:G(q,{error:r})})}):null}function wn(){let e=xn();return G(`section`,{children:[G(`h2`,{children:`Exports started in this browser`}),e.length===0?G(`p`,{class:`muted`,children:`None yet: export from the runs page.`}):G(`div`,{class:`table-wrap`,children:G(`table`,{class:`exports`,children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{children:`Format`}),G(`th`,{children:`Status`}),G(`th`,{children:`Progress`}),G(`th`,{children:`Filter`}),G(`th`,{})]})}),G(`tbody`,{children:e.map(e=>G(Cn,{id:e},e))})]})})]})}function Tn({job:e,onCancel:t}){let[n,r]=I(e);return L(()=>{if(yn.has(e.status))return it(gn,{id:e.id},e=>r(e.bulkJob))},[e.id,e.status]),G(`tr`,{"data-job":n.id,children:[G(`td`,{children:n.action}),G(`td`,{children:n.status}),G(`td`,{children:[G(`progress`,{max:1,value:n.progress}),` `,n.processed,`/`,n.matched]}),G(`td`,{children:[n.succeeded,` ok, `,n.failed,` failed `,n.error&&G(`span`,{class:`err`,children:n.error})]}),G(`td`,{children:G(`code`,{children:n.filter??``})}),G(`td`,{children:G(K,{at:n.createdAt})}),G(`td`,{children:yn.has(n.status)&&un(`OPERATOR`)&&G(`button`,{type:`button`,class:`small danger`,onClick:t,children:`Cancel`})})]})}async function En(e){let t=await W(vn,{id:e});return t.cancelBulkJob.errors.length?t.cancelBulkJob.errors.map(e=>e.message).join(`; `):null}function Dn(){let[e,t]=I(null),[n,r]=I(null),[i,a]=I(null),[o,s]=I(0);return L(()=>{sn().then(e=>t(e.has(`bulkJobs`))).catch(a)},[]),L(()=>{e&&W(hn).then(e=>r(e.bulkJobs.edges.map(e=>e.node))).catch(a)},[e,o]),G(`main`,{class:`page`,children:[G(`h1`,{children:`Jobs`}),G(q,{error:i}),G(`h2`,{children:`Bulk jobs`}),e===!1&&G(St,{what:`bulk jobs`}),n&&G(`div`,{class:`table-wrap`,children:[G(`table`,{children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{children:`Action`}),G(`th`,{children:`Status`}),G(`th`,{children:`Progress`}),G(`th`,{children:`Result`}),G(`th`,{children:`Filter`}),G(`th`,{children:`Created`}),G(`th`,{})]})}),G(`tbody`,{children:n.map(e=>G(Tn,{job:e,onCancel:async()=>{try{let t=await En(e.id);t&&a(Error(t)),s(e=>e+1)}catch(e){a(e)}}},e.id))})]}),n.length===0&&G(`p`,{class:`empty`,children:`No bulk jobs.`})]}),G(wn,{})]})}var On=Object.defineProperty,kn=(e,t,n)=>t in e?On(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,An=(e,t)=>{for(var n in t)On(e,n,{get:t[n],enumerable:!0})},jn=(e,t,n)=>kn(e,typeof t==`symbol`?t:t+``,n),Mn={};An(Mn,{Graph:()=>Z,alg:()=>Gn});var Nn=Object.defineProperty,Pn=(e,t)=>{for(var n in t)Nn(e,n,{get:t[n],enumerable:!0})},Fn=class{constructor(e){this._isDirected=!0,this._isMultigraph=!1,this._isCompound=!1,this._nodes={},this._in={},this._preds={},this._out={},this._sucs={},this._edgeObjs={},this._edgeLabels={},this._nodeCount=0,this._edgeCount=0,this._defaultNodeLabelFn=()=>{},this._defaultEdgeLabelFn=()=>{},e&&(this._isDirected=`directed`in e?e.directed:!0,this._isMultigraph=`multigraph`in e&&e.multigraph,this._isCompound=`compound`in e&&e.compound),this._isCompound&&(this._parent={},this._children={},this._children[`\0`]={})}isDirected(){return this._isDirected}isMultigraph(){return this._isMultigraph}isCompound(){return this._isCompound}setGraph(e){return this._label=e,this}graph(){return this._label}setDefaultNodeLabel(e){return this._defaultNodeLabelFn=typeof e==`function`?e:()=>e,this}nodeCount(){return this._nodeCount}nodes(){return Object.keys(this._nodes)}sources(){return this.nodes().filter(e=>Object.keys(this._in[e]).length===0)}sinks(){return this.nodes().filter(e=>Object.keys(this._out[e]).length===0)}setNodes(e,t){return e.forEach(e=>{t===void 0?this.setNode(e):this.setNode(e,t)}),this}setNode(e,t){return e in this._nodes?(arguments.length>1&&(this._nodes[e]=t),this):(this._nodes[e]=arguments.length>1?t:this._defaultNodeLabelFn(e),this._isCompound&&(this._parent[e]=`\0`,this._children[e]={},this._children[`\0`][e]=!0),this._in[e]={},this._preds[e]={},this._out[e]={},this._sucs[e]={},++this._nodeCount,this)}node(e){return this._nodes[e]}hasNode(e){return e in this._nodes}removeNode(e){if(e in this._nodes){let t=e=>this.removeEdge(this._edgeObjs[e]);delete this._nodes[e],this._isCompound&&(this._removeFromParentsChildList(e),delete this._parent[e],this.children(e).forEach(e=>{this.setParent(e)}),delete this._children[e]),Object.keys(this._in[e]).forEach(t),delete this._in[e],delete this._preds[e],Object.keys(this._out[e]).forEach(t),delete this._out[e],delete this._sucs[e],--this._nodeCount}return this}setParent(e,t){if(!this._isCompound)throw Error(`Cannot set parent in a non-compound graph`);if(t===void 0)t=`\0`;else{t+=``;for(let n=t;n!==void 0;n=this.parent(n))if(n===e)throw Error(`Setting `+t+` as parent of `+e+` would create a cycle`);this.setNode(t)}return this.setNode(e),this._removeFromParentsChildList(e),this._parent[e]=t,this._children[t][e]=!0,this}parent(e){if(this._isCompound){let t=this._parent[e];if(t!==`\0`)return t}}children(e=`\0`){if(this._isCompound){let t=this._children[e];if(t)return Object.keys(t)}else{if(e===`\0`)return this.nodes();if(this.hasNode(e))return[]}return[]}predecessors(e){let t=this._preds[e];if(t)return Object.keys(t)}successors(e){let t=this._sucs[e];if(t)return Object.keys(t)}neighbors(e){let t=this.predecessors(e);if(t){let n=new Set(t),r=this.successors(e);if(r)for(let e of r)n.add(e);return Array.from(n.values())}}isLeaf(e){let t;return t=this.isDirected()?this.successors(e):this.neighbors(e),(t?.length??0)===0}filterNodes(e){let t=new this.constructor({directed:this._isDirected,multigraph:this._isMultigraph,compound:this._isCompound});t.setGraph(this.graph()),Object.entries(this._nodes).forEach(([n,r])=>{e(n)&&t.setNode(n,r)}),Object.values(this._edgeObjs).forEach(e=>{t.hasNode(e.v)&&t.hasNode(e.w)&&t.setEdge(e,this.edge(e))});let n={},r=e=>{let i=this.parent(e);return!i||t.hasNode(i)?(n[e]=i,i):i in n?n[i]:r(i)};return this._isCompound&&t.nodes().forEach(e=>t.setParent(e,r(e))),t}setDefaultEdgeLabel(e){return this._defaultEdgeLabelFn=typeof e==`function`?e:()=>e,this}edgeCount(){return this._edgeCount}edges(){return Object.values(this._edgeObjs)}setPath(e,t){return e.reduce((e,n)=>(t===void 0?this.setEdge(e,n):this.setEdge(e,n,t),n)),this}setEdge(e,t,n,r){let i,a,o,s,c=!1;typeof e==`object`&&e&&`v`in e?(i=e.v,a=e.w,o=e.name,arguments.length===2&&(s=t,c=!0)):(i=e,a=t,o=r,arguments.length>2&&(s=n,c=!0)),i=``+i,a=``+a,o!==void 0&&(o=``+o);let l=Rn(this._isDirected,i,a,o);if(l in this._edgeLabels)return c&&(this._edgeLabels[l]=s),this;if(o!==void 0&&!this._isMultigraph)throw Error(`Cannot set a named edge when isMultigraph = false`);this.setNode(i),this.setNode(a),this._edgeLabels[l]=c?s:this._defaultEdgeLabelFn(i,a,o);let u=zn(this._isDirected,i,a,o);return i=u.v,a=u.w,Object.freeze(u),this._edgeObjs[l]=u,In(this._preds[a],i),In(this._sucs[i],a),this._in[a][l]=u,this._out[i][l]=u,this._edgeCount++,this}edge(e,t,n){let r=arguments.length===1?Bn(this._isDirected,e):Rn(this._isDirected,e,t,n);return this._edgeLabels[r]}edgeAsObj(e,t,n){let r=arguments.length===1?this.edge(e):this.edge(e,t,n);return typeof r!=`object`||!r?{label:r}:r}hasEdge(e,t,n){return(arguments.length===1?Bn(this._isDirected,e):Rn(this._isDirected,e,t,n))in this._edgeLabels}removeEdge(e,t,n){let r=arguments.length===1?Bn(this._isDirected,e):Rn(this._isDirected,e,t,n),i=this._edgeObjs[r];if(i){let e=i.v,t=i.w;delete this._edgeLabels[r],delete this._edgeObjs[r],Ln(this._preds[t],e),Ln(this._sucs[e],t),delete this._in[t][r],delete this._out[e][r],this._edgeCount--}return this}inEdges(e,t){return this.isDirected()?this.filterEdges(this._in[e],e,t):this.nodeEdges(e,t)}outEdges(e,t){return this.isDirected()?this.filterEdges(this._out[e],e,t):this.nodeEdges(e,t)}nodeEdges(e,t){if(e in this._nodes)return this.filterEdges({...this._in[e],...this._out[e]},e,t)}_removeFromParentsChildList(e){delete this._children[this._parent[e]][e]}filterEdges(e,t,n){if(!e)return;let r=Object.values(e);return n?r.filter(e=>e.v===t&&e.w===n||e.v===n&&e.w===t):r}};function In(e,t){e[t]?e[t]++:e[t]=1}function Ln(e,t){e[t]!==void 0&&!--e[t]&&delete e[t]}function Rn(e,t,n,r){let i=``+t,a=``+n;if(!e&&i>a){let e=i;i=a,a=e}return i+``+a+``+(r===void 0?`\0`:r)}function zn(e,t,n,r){let i=``+t,a=``+n;if(!e&&i>a){let e=i;i=a,a=e}let o={v:i,w:a};return r&&(o.name=r),o}function Bn(e,t){return Rn(e,t.v,t.w,t.name)}Pn({},{read:()=>Wn,write:()=>Vn});function Vn(e){let t={options:{directed:e.isDirected(),multigraph:e.isMultigraph(),compound:e.isCompound()},nodes:Hn(e),edges:Un(e)},n=e.graph();return n!==void 0&&(t.value=structuredClone(n)),t}function Hn(e){return e.nodes().map(t=>{let n=e.node(t),r=e.parent(t),i={v:t};return n!==void 0&&(i.value=n),r!==void 0&&(i.parent=r),i})}function Un(e){return e.edges().map(t=>{let n=e.edge(t),r={v:t.v,w:t.w};return t.name!==void 0&&(r.name=t.name),n!==void 0&&(r.value=n),r})}function Wn(e){let t=new Fn(e.options);return e.value!==void 0&&t.setGraph(e.value),e.nodes.forEach(e=>{t.setNode(e.v,e.value),e.parent&&t.setParent(e.v,e.parent)}),e.edges.forEach(e=>{t.setEdge({v:e.v,w:e.w,name:e.name},e.value)}),t}var Gn={};Pn(Gn,{CycleException:()=>or,bellmanFord:()=>qn,components:()=>Yn,dijkstra:()=>Qn,dijkstraAll:()=>er,findCycles:()=>nr,floydWarshall:()=>ir,isAcyclic:()=>cr,postorder:()=>fr,preorder:()=>pr,prim:()=>mr,shortestPaths:()=>hr,tarjan:()=>tr,topsort:()=>sr});var Kn=()=>1;function qn(e,t,n,r){return Jn(e,String(t),n||Kn,r||function(t){return e.outEdges(t)??[]})}function Jn(e,t,n,r){let i={},a,o=0,s=e.nodes(),c=function(e){let t=i[e.v],r=i[e.w];if(!t||!r)return;let o=n(e);t.distance+o<r.distance&&(i[e.w]={distance:t.distance+o,predecessor:e.v},a=!0)},l=function(){s.forEach(function(e){r(e).forEach(function(t){let n=t.v===e?t.v:t.w,r=n===t.v?t.w:t.v;c({v:n,w:r})})})};s.forEach(function(e){i[e]={distance:e===t?0:1/0,predecessor:``}});let u=s.length;for(let e=1;e<u&&(a=!1,o++,l(),a);e++);if(o===u-1&&(a=!1,l(),a))throw Error(`The graph contains a negative weight cycle`);return i}function Yn(e){let t={},n=[],r;function i(n){var a,o;n in t||(t[n]=!0,r.push(n),(a=e.successors(n))==null||a.forEach(i),(o=e.predecessors(n))==null||o.forEach(i))}return e.nodes().forEach(function(e){r=[],i(e),r.length&&n.push(r)}),n}var Xn=class{constructor(){this._arr=[],this._keyIndices={}}size(){return this._arr.length}keys(){return this._arr.map(e=>e.key)}has(e){return e in this._keyIndices}priority(e){let t=this._keyIndices[e];if(t!==void 0)return this._arr[t].priority}min(){if(this.size()===0)throw Error(`Queue underflow`);return this._arr[0].key}add(e,t){let n=this._keyIndices,r=String(e);if(!(r in n)){let e=this._arr,i=e.length;return n[r]=i,e.push({key:r,priority:t}),this._decrease(i),!0}return!1}removeMin(){if(this.size()===0)throw Error(`Queue underflow`);this._swap(0,this._arr.length-1);let e=this._arr.pop();return delete this._keyIndices[e.key],this._heapify(0),e.key}decrease(e,t){let n=this._keyIndices[e];if(n===void 0)throw Error(`Key not found: ${e}`);let r=this._arr[n].priority;if(t>r)throw Error(`New priority is greater than current priority. Key: ${e} Old: ${r} New: ${t}`);this._arr[n].priority=t,this._decrease(n)}_heapify(e){let t=this._arr,n=2*e,r=n+1,i=e;n<t.length&&(i=t[n].priority<t[i].priority?n:i,r<t.length&&(i=t[r].priority<t[i].priority?r:i),i!==e&&(this._swap(e,i),this._heapify(i)))}_decrease(e){let t=this._arr,n=t[e].priority,r;for(;e!==0&&(r=e>>1,!(t[r].priority<n));)this._swap(e,r),e=r}_swap(e,t){let n=this._arr,r=this._keyIndices,i=n[e],a=n[t];n[e]=a,n[t]=i,r[a.key]=e,r[i.key]=t}},Zn=()=>1;function Qn(e,t,n,r){return $n(e,String(t),n||Zn,r||function(t){return e.outEdges(t)??[]})}function $n(e,t,n,r){let i={},a=new Xn,o,s,c=function(e){let t=e.v===o?e.w:e.v,r=i[t];if(!r)return;let c=n(e),l=s.distance+c;if(c<0)throw Error(`dijkstra does not allow negative edge weights. Bad edge: `+e+` Weight: `+c);l<r.distance&&(r.distance=l,r.predecessor=o,a.decrease(t,l))};for(e.nodes().forEach(function(e){let n=e===t?0:1/0;i[e]={distance:n,predecessor:``},a.add(e,n)});a.size()>0;){o=a.removeMin();let e=i[o];if(!e||e.distance===1/0)break;s=e,r(o).forEach(c)}return i}function er(e,t,n){return e.nodes().reduce(function(r,i){return r[i]=Qn(e,i,t,n),r},{})}function tr(e){let t=0,n=[],r={},i=[];function a(o){var s;let c=r[o]={onStack:!0,lowlink:t,index:t++};if(n.push(o),(s=e.successors(o))==null||s.forEach(function(e){if(e in r){let t=r[e];t!=null&&t.onStack&&(c.lowlink=Math.min(c.lowlink,t.index))}else{a(e);let t=r[e];t&&(c.lowlink=Math.min(c.lowlink,t.lowlink))}}),c.lowlink===c.index){let e=[],t;do{t=n.pop();let i=r[t];i&&(i.onStack=!1),e.push(t)}while(o!==t);i.push(e)}}return e.nodes().forEach(function(e){e in r||a(e)}),i}function nr(e){return tr(e).filter(function(t){let n=t[0];return n?t.length>1||t.length===1&&(e.outEdges(n,n)??[]).length>0:!1})}var rr=()=>1;function ir(e,t,n){return ar(e,t||rr,n||function(t){return e.outEdges(t)??[]})}function ar(e,t,n){let r={},i=e.nodes();return i.forEach(function(e){let a={};r[e]=a,a[e]={distance:0,predecessor:``},i.forEach(function(t){e!==t&&(a[t]={distance:1/0,predecessor:``})}),n(e).forEach(function(n){let r=n.v===e?n.w:n.v,i=t(n);a[r]={distance:i,predecessor:e}})}),i.forEach(function(e){let t=r[e];t&&i.forEach(function(n){let a=r[n];a&&i.forEach(function(n){let r=a[e],i=t[n],o=a[n];if(r&&i&&o){let e=r.distance+i.distance;e<o.distance&&(o.distance=e,o.predecessor=i.predecessor)}})})}),r}var or=class extends Error{constructor(e){super(e),this.name=`CycleException`}};function sr(e){let t={},n={},r=[];function i(a){var o;if(a in n)throw new or;a in t||(n[a]=!0,t[a]=!0,(o=e.predecessors(a))==null||o.forEach(i),delete n[a],r.push(a))}if(e.sinks().forEach(i),Object.keys(t).length!==e.nodeCount())throw new or;return r}function cr(e){try{sr(e)}catch(e){if(e instanceof or)return!1;throw e}return!0}function lr(e,t,n,r,i){Array.isArray(t)||(t=[t]);let a=(t=>(e.isDirected()?e.successors(t):e.neighbors(t))??[]),o={};return t.forEach(function(t){if(!e.hasNode(t))throw Error(`Graph does not have node: `+t);i=ur(e,t,n===`post`,o,a,r,i)}),i}function ur(e,t,n,r,i,a,o){return t in r||(r[t]=!0,n||(o=a(o,t)),i(t).forEach(function(t){o=ur(e,t,n,r,i,a,o)}),n&&(o=a(o,t))),o}function dr(e,t,n){return lr(e,t,n,function(e,t){return e.push(t),e},[])}function fr(e,t){return dr(e,t,`post`)}function pr(e,t){return dr(e,t,`pre`)}function mr(e,t){var n;let r=new Fn,i={},a=new Xn,o;function s(e){let n=e.v===o?e.w:e.v,r=a.priority(n);if(r!==void 0){let s=t(e);s<r&&(i[n]=o,a.decrease(n,s))}}if(e.nodeCount()===0)return r;e.nodes().forEach(function(e){a.add(e,1/0),r.setNode(e)});let c=e.nodes()[0];c!==void 0&&a.decrease(c,0);let l=!1;for(;a.size()>0;){if(o=a.removeMin(),o in i)r.setEdge(o,i[o]);else{if(l)throw Error(`Input graph is not connected: `+e);l=!0}(n=e.nodeEdges(o))==null||n.forEach(s)}return r}function hr(e,t,n,r){return gr(e,t,n,r??(t=>e.outEdges(t)??[]))}function gr(e,t,n,r){if(n===void 0)return Qn(e,t,n,r);let i=!1,a=e.nodes();for(let o=0;o<a.length;o++){let s=a[o];if(s===void 0)continue;let c=r(s);for(let e=0;e<c.length;e++){let t=c[e];if(!t)continue;let r=t.v===s?t.v:t.w;n({v:r,w:r===t.v?t.w:t.v})<0&&(i=!0)}if(i)return qn(e,t,n,r)}return Qn(e,t,n,r)}var Z=Fn;function _r(e,t,n,r){let i=r;for(;e.hasNode(i);)i=Mr(r);return n.dummy=t,e.setNode(i,n),i}function vr(e){let t=new Z().setGraph(e.graph());return e.nodes().forEach(n=>t.setNode(n,e.node(n))),e.edges().forEach(n=>{let r=t.edge(n.v,n.w)||{weight:0,minlen:1},i=e.edge(n);t.setEdge(n.v,n.w,{weight:r.weight+i.weight,minlen:Math.max(r.minlen,i.minlen)})}),t}function yr(e){let t=new Z({multigraph:e.isMultigraph()}).setGraph(e.graph());return e.nodes().forEach(n=>{e.children(n).length||t.setNode(n,e.node(n))}),e.edges().forEach(n=>{t.setEdge(n,e.edge(n))}),t}function br(e,t){let n=e.x,r=e.y,i=t.x-n,a=t.y-r,o=e.width/2,s=e.height/2;if(!i&&!a)throw Error(`Not possible to find intersection inside of the rectangle`);let c,l;return i===0||Math.abs(a)*o>Math.abs(i)*s?(a<0&&(s=-s),c=s*i/a,l=s):(i<0&&(o=-o),c=o,l=o*a/i),{x:n+c,y:r+l}}function xr(e){let t=Nr(Dr(e)+1).map(()=>[]);return e.nodes().forEach(n=>{let r=e.node(n),i=r.rank;i!==void 0&&(t[i]||(t[i]=[]),t[i][r.order]=n)}),t}function Sr(e){let t=e.nodes().map(t=>{let n=e.node(t).rank;return n===void 0?Number.MAX_VALUE:n}),n=Q(Math.min,t);e.nodes().forEach(t=>{let r=e.node(t);Object.hasOwn(r,`rank`)&&(r.rank-=n)})}function Cr(e){let t=e.nodes().map(t=>e.node(t).rank).filter(e=>e!==void 0),n=Q(Math.min,t),r=[];e.nodes().forEach(t=>{let i=e.node(t).rank-n;r[i]||(r[i]=[]),r[i].push(t)});let i=0,a=e.graph().nodeRankFactor;Array.from(r).forEach((t,n)=>{t===void 0&&n%a!==0?--i:t!==void 0&&i&&t.forEach(t=>e.node(t).rank+=i)})}function wr(e,t,n,r){let i={width:0,height:0};return arguments.length>=4&&(i.rank=n,i.order=r),_r(e,`border`,i,t)}function Tr(e,t=Er){let n=[];for(let r=0;r<e.length;r+=t){let i=e.slice(r,r+t);n.push(i)}return n}var Er=65535;function Q(e,t){return t.length>Er?e(...Tr(t).map(t=>e(...t))):e(...t)}function Dr(e){let t=e.nodes().map(t=>{let n=e.node(t).rank;return n===void 0?Number.MIN_VALUE:n});return Q(Math.max,t)}function Or(e,t){let n={lhs:[],rhs:[]};return e.forEach(e=>{t(e)?n.lhs.push(e):n.rhs.push(e)}),n}function kr(e,t){let n=Date.now();try{return t()}finally{console.log(e+` time: `+(Date.now()-n)+`ms`)}}function Ar(e,t){return t()}var jr=0;function Mr(e){return e+(``+ ++jr)}function Nr(e,t,n=1){t??(t=e,e=0);let r=e=>e<t;n<0&&(r=e=>t<e);let i=[];for(let t=e;r(t);t+=n)i.push(t);return i}function Pr(e,t){let n={};for(let r of t)e[r]!==void 0&&(n[r]=e[r]);return n}function Fr(e,t){let n;return n=typeof t==`string`?e=>e[t]:t,Object.entries(e).reduce((e,[t,r])=>(e[t]=n(r,t),e),{})}function Ir(e,t){return e.reduce((e,n,r)=>(e[n]=t[r],e),{})}var Lr=`\0`;function Rr(e,t,n){if(!(e&&t&&n&&t.dummy===`edge`&&n.dummy===`edge`&&t.edgeObj&&n.edgeObj&&e[t.edgeObj.v]&&e[n.edgeObj.v]&&e[t.edgeObj.w]&&e[n.edgeObj.w]))return 0;let r=!0;t.edgeObj.w===n.edgeObj.w&&(r=!1);let i=r?e[t.edgeObj.v]?.rank??NaN:e[t.edgeObj.w]?.rank??NaN,a=Object.entries(e).find(e=>e[1].edgeObj?.v===t.edgeObj.v&&e[1].edgeObj?.w===t.edgeObj.w&&e[1].rank===i),o=Object.entries(e).find(e=>e[1].edgeObj?.v===n.edgeObj.v&&e[1].edgeObj?.w===n.edgeObj.w&&e[1].rank===i);if(!a||!o)return 0;let s=a[1].order??NaN,c=o[1].order??NaN;return isNaN(s-c)?0:s-c}var zr=`3.1.3`,Br=class{constructor(){jn(this,`_sentinel`);let e={};e._next=e._prev=e,this._sentinel=e}dequeue(){let e=this._sentinel,t=e._prev;if(t!==e)return Vr(t),t}enqueue(e){let t=this._sentinel;e._prev&&e._next&&Vr(e),e._next=t._next,t._next._prev=e,t._next=e,e._prev=t}toString(){let e=[],t=this._sentinel,n=t._prev;for(;n!==t;)e.push(JSON.stringify(n,Hr)),n=n._prev;return`[`+e.join(`, `)+`]`}};function Vr(e){e._prev._next=e._next,e._next._prev=e._prev,delete e._next,delete e._prev}function Hr(e,t){if(e!==`_next`&&e!==`_prev`)return t}var Ur=Br,Wr=()=>1;function Gr(e,t){if(e.nodeCount()<=1)return[];let n=Jr(e,t||Wr);return Kr(n.graph,n.buckets,n.zeroIdx).flatMap(t=>e.outEdges(t.v,t.w)||[])}function Kr(e,t,n){let r=[],i=t[t.length-1],a=t[0],o;for(;e.nodeCount();){for(;o=a.dequeue();)qr(e,t,n,o);for(;o=i.dequeue();)qr(e,t,n,o);if(e.nodeCount()){for(let i=t.length-2;i>0;--i)if(o=t[i]?.dequeue(),o){r=r.concat(qr(e,t,n,o,!0)||[]);break}}}return r}function qr(e,t,n,r,i){let a=[],o=i?a:void 0;return(e.inEdges(r.v)||[]).forEach(r=>{let o=e.edge(r),s=e.node(r.v);i&&a.push({v:r.v,w:r.w}),s.out-=o,Yr(t,n,s)}),(e.outEdges(r.v)||[]).forEach(r=>{let i=e.edge(r),a=r.w,o=e.node(a);o.in-=i,Yr(t,n,o)}),e.removeNode(r.v),o}function Jr(e,t){let n=new Z,r=0,i=0;e.nodes().forEach(e=>{n.setNode(e,{v:e,in:0,out:0})}),e.edges().forEach(e=>{let a=n.edge(e.v,e.w)||0,o=t(e),s=a+o;n.setEdge(e.v,e.w,s);let c=n.node(e.v),l=n.node(e.w);i=Math.max(i,c.out+=o),r=Math.max(r,l.in+=o)});let a=Xr(i+r+3).map(()=>new Ur),o=r+1;return n.nodes().forEach(e=>{Yr(a,o,n.node(e))}),{graph:n,buckets:a,zeroIdx:o}}function Yr(e,t,n){var r,i,a;n.out?n.in?(a=e[n.out-n.in+t])==null||a.enqueue(n):(i=e[e.length-1])==null||i.enqueue(n):(r=e[0])==null||r.enqueue(n)}function Xr(e){let t=[];for(let n=0;n<e;n++)t.push(n);return t}function Zr(e,t){(e.graph().acyclicer===`greedy`?Gr(e,n(e)):Qr(e,t??null)).forEach(t=>{let n=e.edge(t);e.removeEdge(t),n.forwardName=t.name,n.reversed=!0,e.setEdge(t.w,t.v,n,Mr(`rev`))});function n(e){return t=>e.edge(t).weight}}function Qr(e,t){let n=[],r={},i={};function a(t){Object.hasOwn(i,t)||(i[t]=!0,r[t]=!0,e.outEdges(t).forEach(e=>{Object.hasOwn(r,e.w)?n.push(e):a(e.w)}),delete r[t])}function o(a){var s;Object.hasOwn(i,a)||(i[a]=!0,r[a]=!0,(s=e.outEdges(a))==null||s.forEach(i=>{Object.hasOwn(r,i.w)||t.node(a)?.rank>t.node(i.w)?.rank&&ei(e,i.w,i)?n.push(i):o(i.w)}),delete r[a])}let s=a;return t&&typeof t.node==`function`&&(s=o),e.sources().forEach(s),e.nodes().forEach(s),n}function $r(e){e.edges().forEach(t=>{let n=e.edge(t);if(n.reversed){e.removeEdge(t);let r=n.forwardName;delete n.reversed,delete n.forwardName,e.setEdge(t.w,t.v,n,r)}})}function ei(e,t,n){let r=new Set;function i(t){if(e.sources().includes(t))return!0;r.add(t);for(let a of e.inEdges(t)??[])if((a.v!==n.v||a.w!==n.w)&&!r.has(a.v)&&i(a.v))return!0;return!1}return i(t)}function ti(e){e.graph().dummyChains=[],e.edges().forEach(t=>ni(e,t))}function ni(e,t){let n=t.v,r=e.node(n).rank,i=t.w,a=e.node(i).rank,o=t.name,s=e.edge(t),c=s.labelRank;if(a===r+1)return;e.removeEdge(t);let l,u,d=0;for(++r;r<a;++d,++r)s.points=[],u={width:0,height:0,edgeLabel:s,edgeObj:t,rank:r},l=_r(e,`edge`,u,`_d`),r===c&&(u.width=s.width,u.height=s.height,u.dummy=`edge-label`,u.labelpos=s.labelpos),e.setEdge(n,l,{weight:s.weight},o),d===0&&e.graph().dummyChains.push(l),n=l;e.setEdge(n,i,{weight:s.weight},o)}function ri(e){e.graph().dummyChains.forEach(t=>{let n=e.node(t),r=n.edgeLabel,i;for(e.setEdge(n.edgeObj,r);n.dummy;)i=e.successors(t)[0],e.removeNode(t),r.points.push({x:n.x,y:n.y}),n.dummy===`edge-label`&&(r.x=n.x,r.y=n.y,r.width=n.width,r.height=n.height),t=i,n=e.node(t)})}function ii(e){let t={};function n(r){let i=e.node(r);if(Object.hasOwn(t,r))return i.rank;t[r]=!0;let a=e.outEdges(r),o=a?a.map(t=>t==null?1/0:n(t.w)-e.edge(t).minlen):[],s=Q(Math.min,o);return s===1/0&&(s=0),i.rank=s}e.sources().forEach(n)}function ai(e,t){return e.node(t.w).rank-e.node(t.v).rank-e.edge(t).minlen}var oi=si;function si(e){let t=new Z({directed:!1}),n=e.nodes();if(n.length===0)throw Error(`Graph must have at least one node`);let r=n[0],i=e.nodeCount();t.setNode(r,{});let a,o;for(;ci(t,e)<i&&(a=li(t,e),a);)o=t.hasNode(a.v)?ai(e,a):-ai(e,a),ui(t,e,o);return t}function ci(e,t){function n(r){let i=t.nodeEdges(r);i&&i.forEach(i=>{let a=i.v,o=r===a?i.w:a;!e.hasNode(o)&&!ai(t,i)&&(e.setNode(o,{}),e.setEdge(r,o,{}),n(o))})}return e.nodes().forEach(n),e.nodeCount()}function li(e,t){return t.edges().reduce((n,r)=>{let i=1/0;return e.hasNode(r.v)!==e.hasNode(r.w)&&(i=ai(t,r)),i<n[0]?[i,r]:n},[1/0,null])[1]}function ui(e,t,n){e.nodes().forEach(e=>t.node(e).rank+=n)}var{preorder:di,postorder:fi}=Gn,pi=mi;mi.initLowLimValues=vi,mi.initCutValues=hi,mi.calcCutValue=_i,mi.leaveEdge=bi,mi.enterEdge=xi,mi.exchangeEdges=Si;function mi(e){e=vr(e),ii(e);let t=oi(e);vi(t),hi(t,e);let n,r;for(;n=bi(t);)r=xi(t,e,n),Si(t,e,n,r)}function hi(e,t){let n=fi(e,e.nodes());n=n.slice(0,n.length-1),n.forEach(n=>gi(e,t,n))}function gi(e,t,n){let r=e.node(n).parent,i=e.edge(n,r);i.cutvalue=_i(e,t,n)}function _i(e,t,n){let r=e.node(n).parent,i=!0,a=t.edge(n,r),o=0;a||=(i=!1,t.edge(r,n)),o=a.weight;let s=t.nodeEdges(n);return s&&s.forEach(a=>{let s=a.v===n,c=s?a.w:a.v;if(c!==r){let r=s===i,l=t.edge(a).weight;if(o+=r?l:-l,wi(e,n,c)){let t=e.edge(n,c).cutvalue;o+=r?-t:t}}}),o}function vi(e,t){arguments.length<2&&(t=e.nodes()[0]),yi(e,{},1,t)}function yi(e,t,n,r,i){let a=n,o=e.node(r);t[r]=!0;let s=e.neighbors(r);return s&&s.forEach(i=>{Object.hasOwn(t,i)||(n=yi(e,t,n,i,r))}),o.low=a,o.lim=n++,i?o.parent=i:delete o.parent,n}function bi(e){return e.edges().find(t=>e.edge(t).cutvalue<0)}function xi(e,t,n){let r=n.v,i=n.w;t.hasEdge(r,i)||(r=n.w,i=n.v);let a=e.node(r),o=e.node(i),s=a,c=!1;return a.lim>o.lim&&(s=o,c=!0),t.edges().filter(t=>c===Ti(e,e.node(t.v),s)&&c!==Ti(e,e.node(t.w),s)).reduce((e,n)=>ai(t,n)<ai(t,e)?n:e)}function Si(e,t,n,r){let i=n.v,a=n.w;e.removeEdge(i,a),e.setEdge(r.v,r.w,{}),vi(e),hi(e,t),Ci(e,t)}function Ci(e,t){let n=e.nodes().find(t=>!e.node(t).parent);if(!n)return;let r=di(e,[n]);r=r.slice(1),r.forEach(n=>{let r=e.node(n).parent,i=t.edge(n,r),a=!1;i||(i=t.edge(r,n),a=!0),t.node(n).rank=t.node(r).rank+(a?i.minlen:-i.minlen)})}function wi(e,t,n){return e.hasEdge(t,n)}function Ti(e,t,n){return n.low<=t.lim&&t.lim<=n.lim}var Ei=Di;function Di(e){let t=e.graph().ranker;if(typeof t==`function`)return t(e);switch(t){case`network-simplex`:Ai(e);break;case`tight-tree`:ki(e);break;case`longest-path`:Oi(e);break;case`none`:break;default:Ai(e)}}var Oi=ii;function ki(e){ii(e),oi(e)}function Ai(e){pi(e)}var ji=Mi;function Mi(e){let t=Pi(e),n=e.graph();Array.isArray(n.dummyChains)&&n.dummyChains.forEach(n=>{let r=e.node(n),i=r.edgeObj,a=Ni(e,t,i.v,i.w),o=a.path,s=a.lca,c=0,l=o[c],u=!0;for(;n!==i.w;){if(r=e.node(n),u){for(;(l=o[c])!==s&&e.node(l).maxRank<r.rank;)c++;l===s&&(u=!1)}if(!u){for(;c<o.length-1&&e.node(o[c+1]).minRank<=r.rank;)c++;l=o[c]}l!==void 0&&e.setParent(n,l),n=e.successors(n)[0]}})}function Ni(e,t,n,r){let i=[],a=[],o=Math.min(t[n].low,t[r].low),s=Math.max(t[n].lim,t[r].lim),c;c=n;do c=e.parent(c),i.push(c);while(c&&(t[c].low>o||s>t[c].lim));let l=c,u=r;for(;(u=e.parent(u))!==l;)a.push(u);return{path:i.concat(a.reverse()),lca:l}}function Pi(e){let t={},n=0;function r(i){let a=n;e.children(i).forEach(r),t[i]={low:a,lim:n++}}return e.children(Lr).forEach(r),t}function Fi(e){let t=_r(e,`root`,{},`_root`),n=Li(e),r=Object.values(n),i=Q(Math.max,r)-1,a=2*i+1;e.graph().nestingRoot=t,e.edges().forEach(t=>e.edge(t).minlen*=a);let o=Ri(e)+1;e.children(Lr).forEach(r=>{Ii(e,t,a,o,i,n,r)}),e.graph().nodeRankFactor=a}function Ii(e,t,n,r,i,a,o){let s=e.children(o);if(!s.length){o!==t&&e.setEdge(t,o,{weight:0,minlen:n});return}let c=wr(e,`_bt`),l=wr(e,`_bb`),u=e.node(o);e.setParent(c,o),u.borderTop=c,e.setParent(l,o),u.borderBottom=l,s.forEach(s=>{Ii(e,t,n,r,i,a,s);let u=e.node(s),d=u.borderTop?u.borderTop:s,f=u.borderBottom?u.borderBottom:s,p=u.borderTop?r:2*r,m=d===f?i-(a[o]??0)+1:1;e.setEdge(c,d,{weight:p,minlen:m,nestingEdge:!0}),e.setEdge(f,l,{weight:p,minlen:m,nestingEdge:!0})}),e.parent(o)||e.setEdge(t,c,{weight:0,minlen:i+(a[o]??0)})}function Li(e){let t={};function n(r,i){let a=e.children(r);a&&a.length&&a.forEach(e=>n(e,i+1)),t[r]=i}return e.children(Lr).forEach(e=>n(e,1)),t}function Ri(e){return e.edges().reduce((t,n)=>t+e.edge(n).weight,0)}function zi(e){let t=e.graph();e.removeNode(t.nestingRoot),delete t.nestingRoot,e.edges().forEach(t=>{e.edge(t).nestingEdge&&e.removeEdge(t)})}var Bi=Vi;function Vi(e){function t(n){let r=e.children(n),i=e.node(n);if(r.length&&r.forEach(t),i&&Object.hasOwn(i,`minRank`)){i.borderLeft=[],i.borderRight=[];for(let t=i.minRank,r=i.maxRank+1;t<r;++t)Hi(e,`borderLeft`,`_bl`,n,i,t),Hi(e,`borderRight`,`_br`,n,i,t)}}e.children(Lr).forEach(t)}function Hi(e,t,n,r,i,a){let o={width:0,height:0,rank:a,borderType:t},s=i[t][a-1],c=_r(e,`border`,o,n);i[t][a]=c,e.setParent(c,r),s&&e.setEdge(s,c,{weight:1})}function Ui(e){let t=e.graph().rankdir?.toLowerCase();(t===`lr`||t===`rl`)&&Gi(e)}function Wi(e){let t=e.graph().rankdir?.toLowerCase();(t===`bt`||t===`rl`)&&qi(e),(t===`lr`||t===`rl`)&&(Yi(e),Gi(e))}function Gi(e){e.nodes().forEach(t=>Ki(e.node(t))),e.edges().forEach(t=>Ki(e.edge(t)))}function Ki(e){let t=e.width;e.width=e.height,e.height=t}function qi(e){e.nodes().forEach(t=>Ji(e.node(t))),e.edges().forEach(t=>{var n;let r=e.edge(t);(n=r.points)==null||n.forEach(Ji),Object.hasOwn(r,`y`)&&Ji(r)})}function Ji(e){e.y=-e.y}function Yi(e){e.nodes().forEach(t=>Xi(e.node(t))),e.edges().forEach(t=>{var n;let r=e.edge(t);(n=r.points)==null||n.forEach(Xi),Object.hasOwn(r,`x`)&&Xi(r)})}function Xi(e){let t=e.x;e.x=e.y,e.y=t}function Zi(e,t=null){let n={},r=e.nodes().filter(t=>!e.children(t).length),i=r.map(t=>e.node(t).rank),a=Nr(Q(Math.max,i)+1).map(()=>[]);function o(t){if(n[t])return;n[t]=!0;let r=e.node(t);a[r.rank].push(t);let i=e.successors(t);i&&[...i].sort((e,t)=>s(e,t)).forEach(o)}r.sort((t,n)=>e.node(t).rank-e.node(n).rank).forEach(o);function s(n,r){return Rr(t,e.node(n),e.node(r))}return a}function Qi(e,t){let n=0;for(let r=1;r<t.length;++r)n+=$i(e,t[r-1],t[r]);return n}function $i(e,t,n){let r=Ir(n,n.map((e,t)=>t)),i=t.flatMap(t=>{let n=e.outEdges(t);return n?n.map(t=>({pos:r[t.w],weight:e.edge(t).weight})).sort((e,t)=>e.pos-t.pos):[]}),a=1;for(;a<n.length;)a<<=1;let o=2*a-1;--a;let s=Array(o).fill(0),c=0;return i.forEach(e=>{let t=e.pos+a;s[t]+=e.weight;let n=0;for(;t>0;)t%2&&(n+=s[t+1]),t=t-1>>1,s[t]+=e.weight;c+=e.weight*n}),c}function ea(e,t=[]){return t.map(t=>{let n=e.inEdges(t);if(!n||!n.length)return{v:t};{let r=n.reduce((t,n)=>{let r=e.edge(n),i=e.node(n.v);return{sum:t.sum+r.weight*i.order,weight:t.weight+r.weight}},{sum:0,weight:0});return{v:t,barycenter:r.sum/r.weight,weight:r.weight}}})}function ta(e,t){let n={};return e.forEach((e,t)=>{let r={indegree:0,in:[],out:[],vs:[e.v],i:t};e.barycenter!==void 0&&(r.barycenter=e.barycenter,r.weight=e.weight),n[e.v]=r}),t.edges().forEach(e=>{let t=n[e.v],r=n[e.w];t!==void 0&&r!==void 0&&(r.indegree++,t.out.push(r))}),na(Object.values(n).filter(e=>!e.indegree))}function na(e){let t=[];function n(e){return t=>{t.merged||(t.barycenter===void 0||e.barycenter===void 0||t.barycenter>=e.barycenter)&&ra(e,t)}}function r(t){return n=>{n.in.push(t),--n.indegree===0&&e.push(n)}}for(;e.length;){let i=e.pop();t.push(i),i.in.reverse().forEach(n(i)),i.out.forEach(r(i))}return t.filter(e=>!e.merged).map(e=>Pr(e,[`vs`,`i`,`barycenter`,`weight`]))}function ra(e,t){let n=0,r=0;e.weight&&(n+=e.barycenter*e.weight,r+=e.weight),t.weight&&(n+=t.barycenter*t.weight,r+=t.weight),e.vs=t.vs.concat(e.vs),e.barycenter=n/r,e.weight=r,e.i=Math.min(t.i,e.i),t.merged=!0}function ia(e,t,n,r,i){let a={},o=null,s=null,c=i;typeof t==`boolean`?(c=t,a={}):t&&(a=t,o=n??null,s=r??null);let l=Or(e,e=>Object.hasOwn(e,`barycenter`)),u=l.lhs,d=l.rhs.sort((e,t)=>t.i-e.i),f=[],p=0,m=0,h=0;u.sort(oa(s,o,!!c));for(let[e,t]of Object.entries(a)){let n=u.findIndex(t=>t.vs[0]===e);u.splice(n+1,0,t)}h=aa(f,d,h),u.forEach(e=>{h+=e.vs.length,f.push(e.vs),p+=e.barycenter*e.weight,m+=e.weight,h=aa(f,d,h)});let g={vs:f.flat(1)};return m&&(g.barycenter=p/m,g.weight=m),g}function aa(e,t,n){let r;for(;t.length&&(r=t[t.length-1]).i<=n;)t.pop(),e.push(r.vs),n++;return n}function oa(e,t,n){return(r,i)=>{if(r.barycenter<i.barycenter)return-1;if(r.barycenter>i.barycenter)return 1;if(e&&(typeof r.vs[0]==`string`||typeof i.vs[0]==`string`)){let n=Rr(t,e.node(r.vs[0]),e.node(i.vs[0]));if(n!==0)return n}return n?i.i-r.i:r.i-i.i}}function sa(e,t,n,r,i){var a,o;let s=null,c=i;typeof r==`boolean`?(c=r,s=null):r!==void 0&&(s=r);let l=e.children(t),u=e.node(t),d=u?u.borderLeft:void 0,f=u?u.borderRight:void 0,p={};d&&(l=l.filter(e=>e!==d&&e!==f));let m=ea(e,l);m.forEach(t=>{if(e.children(t.v).length){let{result:r}=sa(e,t.v,n,s,c);p[t.v]=r,Object.hasOwn(r,`barycenter`)&&la(t,r)}});let h=ta(m,n);ca(h,p);let g={},_=!1;for(let t=0;t<h.length;t++)for(let n=t+1;n<h.length;n++)if(h[t]&&h[n]&&(a=h[t])!=null&&a.barycenter&&(o=h[n])!=null&&o.barycenter&&h[t]?.barycenter===h[n].barycenter){let r=h[t]?.vs[0]??``,i=h[n]?.vs[0]??``,a=e.node(r),o=e.node(i);if(a.dummy===`edge`&&o.dummy===`edge`&&a.edgeObj?.v===o.edgeObj?.v&&a.edgeObj?.w===o.edgeObj?.w){if(a.edgeLabel.reversed){g[i]=h[t],h.splice(t,1),t--;break}g[r]||(g[r]=h[n],h.splice(n,1),n--)}else _=!0}let v=ia(h,g,s,e,c);if(d&&f){v.vs=[d,v.vs,f].flat(1);let t=e.predecessors(d);if(t&&t.length){let n=e.node(t[0]),r=e.predecessors(f),i=e.node(r[0]);Object.hasOwn(v,`barycenter`)||(v.barycenter=0,v.weight=0),v.barycenter=(v.barycenter*v.weight+n.order+i.order)/(v.weight+2),v.weight+=2}}return Object.defineProperty(v,"result",{value:v,enumerable:!1,configurable:!0,writable:!0}),Object.defineProperty(v,"usedBias",{value:_,enumerable:!1,configurable:!0,writable:!0}),v}function ca(e,t){e.forEach(e=>{e.vs=e.vs.flatMap(e=>t[e]?t[e].vs:e)})}function la(e,t){e.barycenter===void 0?(e.barycenter=t.barycenter,e.weight=t.weight):(e.barycenter=(e.barycenter*e.weight+t.barycenter*t.weight)/(e.weight+t.weight),e.weight+=t.weight)}function ua(e,t,n,r){r||=e.nodes();let i=da(e),a=new Z({compound:!0}).setGraph({root:i}).setDefaultNodeLabel(t=>e.node(t));return r.forEach(r=>{let o=e.node(r),s=e.parent(r);if(o.rank===t||o.minRank<=t&&t<=o.maxRank){a.setNode(r),a.setParent(r,s||i);let c=e[n](r);c&&c.forEach(t=>{let n=t.v===r?t.w:t.v,i=a.edge(n,r),o=i===void 0?0:i.weight;a.setEdge(n,r,{weight:e.edge(t).weight+o})}),Object.hasOwn(o,`minRank`)&&a.setNode(r,{borderLeft:o.borderLeft[t],borderRight:o.borderRight[t]})}}),a}function da(e){let t;for(;e.hasNode(t=Mr(`_root`)););return t}function fa(e,t,n){let r={},i;n.forEach(n=>{let a=e.parent(n),o,s;for(;a;){if(o=e.parent(a),o?(s=r[o],r[o]=a):(s=i,i=a),s&&s!==a){t.setEdge(s,a);return}a=o}})}function pa(e,t={},n=null){if(typeof t.customOrder==`function`){t.customOrder(e,pa);return}let r=Dr(e),i=ma(e,Nr(1,r+1),`inEdges`),a=ma(e,Nr(r-1,-1,-1),`outEdges`),o=Zi(e,n);if(ga(e,o),t.disableOptimalOrderHeuristic)return;let s=1/0,c,l=t.constraints||[];for(let t=0,r=0;r<4;++t,++r){ha(t%2?i:a,t%4>=2,l,n),o=xr(e);let u=Qi(e,o);u<s?(r=0,c=Object.assign({},o),s=u):u===s&&(c=structuredClone(o))}ga(e,c)}function ma(e,t,n){let r=new Map,i=(e,t)=>{r.has(e)||r.set(e,[]),r.get(e).push(t)};for(let t of e.nodes()){let n=e.node(t);if(typeof n.rank==`number`&&i(n.rank,t),typeof n.minRank==`number`&&typeof n.maxRank==`number`)for(let e=n.minRank;e<=n.maxRank;e++)e!==n.rank&&i(e,t)}return t.map(function(t){return ua(e,t,n,r.get(t)||[])})}function ha(e,t,n,r){let i=!0,a=new Z;e.forEach(function(e){n.forEach(e=>a.setEdge(e.left,e.right));let{result:o,usedBias:s}=sa(e,e.graph().root,a,r,i);t&&s&&(i=!i),o.vs.forEach((t,n)=>e.node(t).order=n),fa(e,a,o.vs)})}function ga(e,t){Object.values(t).forEach(t=>t.forEach((t,n)=>e.node(t).order=n))}function _a(e,t){let n={};function r(t,r){let i=0,a=0,o=t.length,s=r[r.length-1];return r.forEach((t,c)=>{let l=ya(e,t),u=l?e.node(l).order:o;(l||t===s)&&(r.slice(a,c+1).forEach(t=>{let r=e.predecessors(t);r&&r.forEach(r=>{let a=e.node(r),o=a.order;(o<i||u<o)&&!(a.dummy&&e.node(t).dummy)&&ba(n,r,t)})}),a=c+1,i=u)}),r}return t.length&&t.reduce(r),n}function va(e,t){let n={};function r(t){return e.node(t)?.dummy===`border`}if(!e.nodes().some(r))return n;function i(t,r,i,a,o){Nr(r,i).forEach(r=>{let i=t[r];if(i!==void 0&&e.node(i).dummy){let t=e.predecessors(i);t&&t.forEach(t=>{if(t===void 0)return;let r=e.node(t);r.dummy&&(r.order<a||r.order>o)&&ba(n,t,i)})}})}function a(t,n){let a=-1,o=-1,s=0;return n.forEach((c,l)=>{if(r(c)){let t=e.predecessors(c);if(t&&t.length){let r=t[0];if(r===void 0)return;o=e.node(r).order,i(n,s,l,a,o),s=l,a=o}}i(n,s,n.length,o,t.length)}),n}return t.length&&t.reduce(a),n}function ya(e,t){if(e.node(t).dummy){let n=e.predecessors(t);if(n)return n.find(t=>e.node(t).dummy)}}function ba(e,t,n){if(t>n){let e=t;t=n,n=e}let r=e[t];r||(e[t]=r={}),r[n]=!0}function xa(e,t,n){if(t>n){let e=t;t=n,n=e}let r=e[t];return r!==void 0&&Object.hasOwn(r,n)}function Sa(e,t,n,r,i){let a={},o={},s={};return t.forEach(e=>{e.forEach((e,t)=>{a[e]=e,o[e]=e,s[e]=t})}),t.forEach(t=>{let c=-1,l=-1,u=!1,d=t,f=t.findIndex(t=>i?.includes(t)||ja(t,e,i));f>0&&(d=[t[f],...t.slice(0,f),...t.slice(f+1)],u=!0),d.forEach(t=>{let d=r(t);if(d&&d.length){i!=null&&i.includes(t)&&(d=d.filter(t=>ja(t,e,i)));let r=d.sort((e,t)=>{let n=s[e],r=s[t];return(n===void 0?0:n)-(r===void 0?0:r)}),f=(r.length-1)/2;for(let e=Math.floor(f),i=Math.ceil(f);e<=i;++e){let i=r[e];if(i===void 0)continue;let d=s[i];if(d!==void 0&&o[t]===t&&c<d&&s[i]!==l&&!xa(n,t,i)){let e=a[i];e!==void 0&&(o[i]=t,o[t]=a[t]=e,c=d,u&&=(c=-1,l=s[i]??-1,!1))}}}})}),{root:a,align:o}}function Ca(e,t,n,r,i=!1){let a={},o=wa(e,t,n,i),s=i?`borderLeft`:`borderRight`;function c(e,t){let n=o.nodes().slice(),r={},i=n.pop();for(;i;){if(r[i])e(i);else{r[i]=!0,n.push(i);for(let e of t(i))n.push(e)}i=n.pop()}}function l(e){let t=o.inEdges(e);t?a[e]=t.reduce((e,t)=>{let n=a[t.v]??0,r=o.edge(t);return Math.max(e,n+(r===void 0?0:r))},0):a[e]=0}function u(t){let n=o.outEdges(t),r=1/0;n&&(r=n.reduce((e,t)=>{let n=a[t.w],r=o.edge(t);return Math.min(e,(n===void 0?0:n)-(r===void 0?0:r))},1/0));let i=e.node(t);r!==1/0&&i.borderType!==s&&(a[t]=Math.max(a[t]===void 0?0:a[t],r))}function d(e){return o.predecessors(e)||[]}function f(e){return o.successors(e)||[]}return c(l,d),c(u,f),Object.keys(r).forEach(e=>{let t=n[e];t!==void 0&&(a[e]=a[t]??0)}),a}function wa(e,t,n,r){let i=new Z,a=e.graph(),o=ka(a.nodesep,a.edgesep,r);return t.forEach(t=>{let r;t.forEach(t=>{let a=n[t];if(a!==void 0){if(i.setNode(a),r!==void 0){let s=n[r];if(s!==void 0){let n=i.edge(s,a);i.setEdge(s,a,Math.max(o(e,t,r),n||0))}}r=t}})}),i}function Ta(e,t){return Object.values(t).reduce((t,n)=>{let r=-1/0,i=1/0;Object.entries(n).forEach(([t,n])=>{let a=Aa(e,t)/2;r=Math.max(n+a,r),i=Math.min(n-a,i)});let a=r-i;return a<t[0]&&(t=[a,n]),t},[1/0,null])[1]}function Ea(e,t){let n=Object.values(t),r=Q(Math.min,n),i=Q(Math.max,n);[`u`,`d`].forEach(n=>{[`l`,`r`].forEach(a=>{let o=n+a,s=e[o];if(!s||s===t)return;let c=Object.values(s),l=r-Q(Math.min,c);a!==`l`&&(l=i-Q(Math.max,c)),l&&(e[o]=Fr(s,e=>e+l))})})}function Da(e,t=void 0){let n=e.ul;return n?Fr(n,(n,r)=>{if(t){let n=e[t.toLowerCase()];if(n&&n[r]!==void 0)return n[r]}let i=Object.values(e).map(e=>{let t=e[r];return t===void 0?0:t}).sort((e,t)=>e-t);return((i[1]??0)+(i[2]??0))/2}):{}}function Oa(e,t){let n=xr(e),r=Object.assign(_a(e,n),va(e,n)),i={},a;return[`u`,`d`].forEach(o=>{a=o===`u`?n:Object.values(n).reverse(),[`l`,`r`].forEach(n=>{n===`r`&&(a=a.map(e=>Object.values(e).reverse()));let s=Sa(e,a,r,t=>(o===`u`?e.predecessors(t):e.successors(t))||[],t),c=Ca(e,a,s.root,s.align,n===`r`);n===`r`&&(c=Fr(c,e=>-e)),i[o+n]=c})}),Ea(i,Ta(e,i)),Da(i,e.graph().align)}function ka(e,t,n){return(r,i,a)=>{let o=r.node(i),s=r.node(a),c=0,l;if(c+=o.width/2,Object.hasOwn(o,`labelpos`))switch(o.labelpos.toLowerCase()){case`l`:l=-o.width/2;break;case`r`:l=o.width/2}if(l&&(c+=n?l:-l),l=void 0,c+=(o.dummy?t:e)/2,c+=(s.dummy?t:e)/2,c+=s.width/2,Object.hasOwn(s,`labelpos`))switch(s.labelpos.toLowerCase()){case`l`:l=s.width/2;break;case`r`:l=-s.width/2}return l&&(c+=n?l:-l),c}}function Aa(e,t){return e.node(t).width}function ja(e,t,n){if(!n)return!1;let r=t.node(e)?.edgeObj;if(!r||t.node(e).edgeLabel.reversed)return!1;let i=n.indexOf(r?.v),a=n.indexOf(r?.w);return i!==-1&&a!==-1&&i===(a+1)%n.length||i===(a-1)%n.length}function Ma(e,t){e=yr(e),Na(e),Object.entries(Oa(e,t)).forEach(([t,n])=>e.node(t).x=n)}function Na(e){let t=xr(e),n=e.graph(),r=n.ranksep,i=n.rankalign,a=0;t.forEach(t=>{let n=t.reduce((t,n)=>{let r=e.node(n).height??0;return t>r?t:r},0);t.forEach(t=>{let r=e.node(t);r.y=i===`top`?a+r.height/2:i===`bottom`?a+n-r.height/2:a+n/2}),a+=n+r})}var Pa=new WeakMap;function Fa(e,t={}){return La(e,Ar,t),e}function Ia(e,t,n){let r=t;for(;r!==void 0;){let t=e.parent(r);if(t===n)return r;r=t}}function La(e,t,n){let r=e.nodes().filter(t=>e.children(t).length),i={};r.forEach(r=>{let a=e.node(r);if(a&&a.rankdir){let o=new Z({multigraph:!0,compound:!0});o.setGraph({rankdir:a.rankdir});let s=e.children(r);s.forEach(t=>{let n={...e.node(t)};o.setNode(t,n);let i=e.parent(t);i&&i!==r&&s.includes(i)&&o.setParent(t,i)});let c=new Set;e.edges().forEach(t=>{let n=Ia(e,t.v,r),i=Ia(e,t.w,r);if(n===t.v&&i===t.w)o.setEdge(t,{...e.edge(t)});else if(n&&i&&n!==i){let r=`${n}\0${i}`;c.has(r)||(c.add(r),o.setEdge(n,i,{...e.edge(t)}))}}),La(o,t,n);let l=Ya(o);za(l,t,n,null),Ba(o,l);let u=1/0,d=1/0,f=-1/0,p=-1/0;o.nodes().forEach(e=>{if(e===r)return;let t=o.node(e);t&&typeof t.x==`number`&&typeof t.y==`number`&&typeof t.width==`number`&&typeof t.height==`number`&&(u=Math.min(u,t.x-t.width/2),f=Math.max(f,t.x+t.width/2),d=Math.min(d,t.y-t.height/2),p=Math.max(p,t.y+t.height/2))}),isFinite(u)&&isFinite(d)&&isFinite(f)&&isFinite(p)||(u=d=0,f=p=0);let m=f-u,h=p-d;i[r]={minX:u,minY:d,maxX:f,maxY:p,width:m,height:h,offsetX:u,offsetY:d},a._dagreClusterSubgraph=o}});let a=[],o=t=>{let n=[],r=(e.children(t)||[]).filter(e=>e!==t);for(;r.length>0;){let t=r.shift();n.push(t),(e.children(t)||[]).filter(e=>e!==t).forEach(e=>r.push(e))}return n},s=new Map;r.forEach(t=>{let n=e.node(t);n&&n.rankdir&&i[t]&&s.set(t,(e.children(t)||[]).filter(e=>e!==t))});let c=new Set([...s.values()].flat()),l=new Map;s.forEach((e,t)=>{c.has(t)||l.set(t,o(t))});let u=new Set([...l.values()].flat()),d=e=>{for(let[t,n]of l)if(n.includes(e))return t;return e},f=[];e.edges().forEach(t=>{(u.has(t.v)||u.has(t.w))&&f.push({edge:t,label:e.edge(t)})});let p=new Map;u.forEach(t=>{let n=e.parent(t);p.set(t,typeof n==`string`?n:void 0)}),l.forEach((t,n)=>{let r=e.node(n),o=[];t.forEach(t=>{let n=e.node(t);n&&(o.push({id:t,node:n,parent:p.get(t)}),e.removeNode(t))});let s=f.filter(({edge:e})=>t.includes(e.v)||t.includes(e.w)),c=i[n];r&&(a.push({clusterId:n,subgraph:r._dagreClusterSubgraph,bounds:c,children:t,removedNodes:o,removedEdges:s}),r.width=c.width,r.height=c.height)});let m=new Set;f.forEach(({edge:t,label:n})=>{let r=d(t.v),i=d(t.w);if(r!==i&&e.hasNode(r)&&e.hasNode(i)){let t=`${r}\0${i}`;m.has(t)||(m.add(t),e.setEdge(r,i,{...n,width:0,height:0}))}});let h=Ya(e),g=za(h,t,n,Pa.get(e)??null);Pa.set(e,g),Ba(e,h),m.forEach(t=>{let n=t.indexOf(`\0`),r=t.slice(0,n),i=t.slice(n+1);e.hasEdge(r,i)&&e.removeEdge(r,i)}),a.forEach(({clusterId:t,subgraph:n,bounds:r,removedNodes:i,removedEdges:a})=>{let o=e.node(t),s=o?.x??0,c=o?.y??0,l=(r.minX+r.maxX)/2,u=(r.minY+r.maxY)/2;i.forEach(({id:t,node:n,parent:r})=>{e.setNode(t,n),r!==void 0&&e.setParent(t,r)}),a.forEach(({edge:t,label:n})=>{e.setEdge(t,n)}),n.nodes().forEach(r=>{if(r===t)return;let i=n.node(r),a=e.node(r);a&&i&&typeof i.x==`number`&&typeof i.y==`number`&&(a.x=s+(i.x-l),a.y=c+(i.y-u))}),Ra(e,n,s-l,c-u),delete o._dagreClusterSubgraph}),r.forEach(t=>{let n=e.node(t),r=i[t];if(n&&n.rankdir&&n._dagreClusterSubgraph&&r){let i=n._dagreClusterSubgraph,a=n.x??0,o=n.y??0,s=(r.minX+r.maxX)/2,c=(r.minY+r.maxY)/2;i.nodes().forEach(n=>{if(n===t)return;let r=i.node(n),l=e.node(n);if(l&&r&&typeof r.x==`number`&&typeof r.y==`number`){let e=r.x-s,t=r.y-c;l.x=a+e,l.y=o+t}}),Ra(e,i,a-s,o-c),delete n._dagreClusterSubgraph}})}function Ra(e,t,n,r){t.edges().forEach(i=>{if(!e.hasEdge(i))return;let a=t.edge(i),o=e.edge(i);o.points=a.points.map(e=>({x:e.x+n,y:e.y+r})),Object.hasOwn(a,`x`)&&(o.x=a.x+n,o.y=a.y+r)})}function za(e,t,n,r=null){var i,a;let o=n?.useDynamic!==!1,s=o&&(i=r?.graph)!=null?i:null,c=o&&(a=r?.rawNodes)!=null?a:null;t(`    makeSpaceForEdgeLabels`,()=>Xa(e)),t(`    removeSelfEdges`,()=>ao(e)),t(`    acyclic`,()=>Zr(e,s)),t(`    nestingGraph.run`,()=>Fi(e)),t(`    rank`,()=>Ei(yr(e))),t(`    injectEdgeLabelProxies`,()=>Za(e)),t(`    removeEmptyRanks`,()=>Cr(e)),t(`    nestingGraph.cleanup`,()=>zi(e)),t(`    normalizeRanks`,()=>Sr(e)),t(`    assignRankMinMax`,()=>Qa(e)),t(`    removeEdgeLabelProxies`,()=>$a(e)),t(`    normalize.run`,()=>ti(e)),t(`    parentDummyChains`,()=>ji(e)),t(`    addBorderSegments`,()=>Bi(e)),t(`    order`,()=>pa(e,n,c)),t(`    insertSelfEdges`,()=>oo(e)),t(`    adjustCoordinateSystem`,()=>Ui(e)),t(`    position`,()=>Ma(e,n.corePath)),t(`    positionSelfEdges`,()=>so(e));let l=JSON.parse(JSON.stringify(e._nodes));return t(`    removeBorderNodes`,()=>io(e)),t(`    normalize.undo`,()=>ri(e)),t(`    fixupEdgeLabelCoords`,()=>no(e)),t(`    undoCoordinateSystem`,()=>Wi(e)),t(`    translateGraph`,()=>eo(e)),t(`    assignNodeIntersects`,()=>to(e)),t(`    reversePoints`,()=>ro(e)),t(`    acyclic.undo`,()=>$r(e)),{graph:e,rawNodes:l}}function Ba(e,t){e.nodes().forEach(n=>{let r=e.node(n),i=t.node(n);r&&(r.x=i.x,r.y=i.y,r.order=i.order,r.rank=i.rank,t.children(n).length&&(r.width=i.width,r.height=i.height))}),e.edges().forEach(n=>{let r=e.edge(n),i=t.edge(n);r.points=i.points,Object.hasOwn(i,`x`)&&(r.x=i.x,r.y=i.y)}),e.graph().width=t.graph().width,e.graph().height=t.graph().height}var Va=[`nodesep`,`edgesep`,`ranksep`,`marginx`,`marginy`],Ha={ranksep:50,edgesep:20,nodesep:50,rankdir:`TB`,rankalign:`center`},Ua=[`acyclicer`,`ranker`,`rankdir`,`align`,`rankalign`],Wa=[`width`,`height`,`rank`],Ga={width:0,height:0},Ka=[`minlen`,`weight`,`width`,`height`,`labeloffset`],qa={minlen:1,weight:1,width:0,height:0,labeloffset:10,labelpos:`r`},Ja=[`labelpos`];function Ya(e){let t=new Z({multigraph:!0,compound:!0}),n=lo(e.graph());return t.setGraph(Object.assign({},Ha,co(n,Va),Pr(n,Ua))),e.nodes().forEach(n=>{let r=co(lo(e.node(n)),Wa);Object.keys(Ga).forEach(e=>{r[e]===void 0&&(r[e]=Ga[e])}),t.setNode(n,r);let i=e.parent(n);i!==void 0&&t.setParent(n,i)}),e.edges().forEach(n=>{let r=lo(e.edge(n));t.setEdge(n,Object.assign({},qa,co(r,Ka),Pr(r,Ja)))}),t}function Xa(e){let t=e.graph();t.ranksep/=2,e.edges().forEach(n=>{let r=e.edge(n);r.minlen*=2,(r.labelpos??`r`).toLowerCase()!==`c`&&(t.rankdir===`TB`||t.rankdir===`BT`?r.width+=r.labeloffset:r.height+=r.labeloffset)})}function Za(e){e.edges().forEach(t=>{let n=e.edge(t);if(n.width&&n.height){let n=e.node(t.v);_r(e,`edge-proxy`,{rank:(e.node(t.w).rank-n.rank)/2+n.rank,e:t},`_ep`)}})}function Qa(e){let t=0;e.nodes().forEach(n=>{let r=e.node(n);r.borderTop&&(r.minRank=e.node(r.borderTop).rank,r.maxRank=e.node(r.borderBottom).rank,t=Math.max(t,r.maxRank))}),e.graph().maxRank=t}function $a(e){e.nodes().forEach(t=>{let n=e.node(t);if(n.dummy===`edge-proxy`){let r=n;e.edge(r.e).labelRank=n.rank,e.removeNode(t)}})}function eo(e){let t=1/0,n=0,r=1/0,i=0,a=e.graph(),o=a.marginx||0,s=a.marginy||0;function c(e){let a=e.x,o=e.y,s=e.width,c=e.height;t=Math.min(t,a-s/2),n=Math.max(n,a+s/2),r=Math.min(r,o-c/2),i=Math.max(i,o+c/2)}e.nodes().forEach(t=>c(e.node(t))),e.edges().forEach(t=>{let n=e.edge(t);Object.hasOwn(n,`x`)&&c(n)}),t-=o,r-=s,e.nodes().forEach(n=>{let i=e.node(n);i.x-=t,i.y-=r}),e.edges().forEach(n=>{let i=e.edge(n);i.points.forEach(e=>{e.x-=t,e.y-=r}),Object.hasOwn(i,`x`)&&(i.x-=t),Object.hasOwn(i,`y`)&&(i.y-=r)}),a.width=n-t+o,a.height=i-r+s}function to(e){e.edges().forEach(t=>{if(t.v===t.w)return;let n=e.edge(t),r=e.node(t.v),i=e.node(t.w),a,o;n.points?(a=n.points[0],o=n.points[n.points.length-1]):(n.points=[],a=i,o=r),n.points.unshift(br(r,a)),n.points.push(br(i,o))})}function no(e){e.edges().forEach(t=>{let n=e.edge(t);if(Object.hasOwn(n,`x`))switch((n.labelpos===`l`||n.labelpos===`r`)&&(n.width-=n.labeloffset),n.labelpos){case`l`:n.x-=n.width/2+n.labeloffset;break;case`r`:n.x+=n.width/2+n.labeloffset}})}function ro(e){e.edges().forEach(t=>{let n=e.edge(t);n.reversed&&n.points.reverse()})}function io(e){e.nodes().forEach(t=>{if(e.children(t).length){let n=e.node(t),r=e.node(n.borderTop),i=e.node(n.borderBottom),a=e.node(n.borderLeft[n.borderLeft.length-1]),o=e.node(n.borderRight[n.borderRight.length-1]);n.width=Math.abs(o.x-a.x),n.height=Math.abs(i.y-r.y),n.x=a.x+n.width/2,n.y=r.y+n.height/2}}),e.nodes().forEach(t=>{e.node(t).dummy===`border`&&e.removeNode(t)})}function ao(e){e.edges().forEach(t=>{if(t.v===t.w){let n=e.node(t.v);n.selfEdges||=[],n.selfEdges.push({e:t,label:e.edge(t)}),e.removeEdge(t)}})}function oo(e){xr(e).forEach(t=>{let n=0;t.forEach((t,r)=>{let i=e.node(t);typeof i.rank!=`number`&&(i.rank=0),i.order=r+n,(i.selfEdges||[]).forEach(t=>{_r(e,`selfedge`,{width:t.label.width,height:t.label.height,rank:i.rank,order:r+ ++n,e:t.e,edgeLabel:t.label},`_se`),Array.isArray(t.label.points)&&t.label.points.length===7||(t.label.points=[{x:0,y:-10},{x:0,y:-10},{x:0,y:0},{x:0,y:10},{x:0,y:10},{x:0,y:0},{x:0,y:0}])}),delete i.selfEdges})})}function so(e){e.nodes().forEach(t=>{let n=e.node(t),r=e=>typeof e==`number`&&isFinite(e);if(n.dummy===`selfedge`){let i=n,a=e.node(i.e.v),o=r(a?.x)?a.x:0,s=r(a?.y)?a.y:0,c=r(a?.width)?a.width:0,l=r(a?.height)?a.height:0,u=r(n.x)?n.x:o,d=r(n.y)?n.y:s,f=c/2,p=l/2;i.edgeLabel.points=[{x:u+f,y:d-p},{x:u+f,y:d-p},{x:u,y:d},{x:u-f,y:d+p},{x:u-f,y:d+p},{x:u,y:d},{x:u,y:d}],i.edgeLabel.x=u,i.edgeLabel.y=d,e.setEdge(i.e,i.edgeLabel),e.removeNode(t)}else n&&Array.isArray(n.selfEdges)&&n.selfEdges.forEach(e=>{if(!Array.isArray(e.label.points)||e.label.points.length!==7){let t=r(n.x)?n.x:0,i=r(n.y)?n.y:0,a=r(n.width)?n.width:0,o=r(n.height)?n.height:0,s=a/2,c=o/2;e.label.points=[{x:t+s,y:i-c},{x:t+s,y:i-c},{x:t,y:i},{x:t-s,y:i+c},{x:t-s,y:i+c},{x:t,y:i},{x:t,y:i}]}})})}function co(e,t){return Fr(Pr(e,t),Number)}function lo(e){let t={};return e&&Object.entries(e).forEach(([e,n])=>{typeof e==`string`&&(e=e.toLowerCase()),t[e]=n}),t}function uo(e){let t=xr(e),n=new Z({compound:!0,multigraph:!0}).setGraph({});return e.nodes().forEach(t=>{n.setNode(t,{label:t}),n.setParent(t,`layer`+e.node(t).rank)}),e.edges().forEach(e=>n.setEdge(e.v,e.w,{},e.name)),t.forEach((e,t)=>{let r=`layer`+t;n.setNode(r,{rank:`same`}),e.reduce((e,t)=>(n.setEdge(e,t,{style:`invis`}),t))}),n}var fo={graphlib:Mn,version:zr,layout:Fa,debug:uo,util:{time:kr,notime:Ar}};function po(e){let t=e.filter(e=>e.iteration==null&&!e.parentRef),n=new Set(t.map(e=>e.ref)),r=t.map(e=>({ref:e.ref,label:e.name||e.ref,type:e.type,status:e.status??null,iterations:0,iterationStatuses:{}})),i=new Map(r.map(e=>[e.ref,e]));for(let t of e){if(t.parentRef==null&&t.iteration==null)continue;let e=i.get(t.parentRef??``);if(!e)continue;e.iterations+=1;let n=t.status??`PENDING`;e.iterationStatuses[n]=(e.iterationStatuses[n]??0)+1}return{nodes:r,edges:t.flatMap(e=>e.dependsOn.filter(e=>n.has(e)).map(t=>({from:t,to:e.ref})))}}function mo(e){let t=new fo.graphlib.Graph;t.setGraph({rankdir:`LR`,nodesep:18,ranksep:42,marginx:8,marginy:8}),t.setDefaultEdgeLabel(()=>({}));for(let n of e.nodes)t.setNode(n.ref,{width:184,height:44});for(let n of e.edges)t.setEdge(n.from,n.to);fo.layout(t);let n=e.nodes.map(e=>{let n=t.node(e.ref);return{...e,x:n.x,y:n.y,width:184,height:44}}),r=e.edges.map(e=>({...e,points:t.edge(e.from,e.to).points??[]})),i=t.graph();return{nodes:n,edges:r,width:i.width??0,height:i.height??0}}function ho(e){return JSON.stringify(e)}function $(e,t,n){return`${e} ${t} ${typeof n==`string`?ho(n):String(n)}`}function go(e,t){let n=e.trim();return n?n.includes(t)?n:`${/\bor\b/i.test(n)?`(${n})`:n} and ${t}`:t}var _o={"1h":36e5,"24h":864e5,"7d":6048e5};function vo(e,t){let n=[];e.statuses.length===1?n.push($(`status`,`eq`,e.statuses[0])):e.statuses.length>1&&n.push(`(${e.statuses.map(e=>$(`status`,`eq`,e)).join(` or `)})`),e.workflow&&n.push($(`workflow_key`,`eq`,e.workflow));for(let t of e.tags)t.key&&n.push($(`tags.${t.key}`,`eq`,t.value));return e.range in _o?n.push($(`created_at`,`ge`,new Date(t.getTime()-_o[e.range]).toISOString())):e.range===`custom`&&(e.customFrom&&n.push($(`created_at`,`ge`,new Date(e.customFrom).toISOString())),e.customTo&&n.push($(`created_at`,`lt`,new Date(e.customTo).toISOString()))),n.join(` and `)}function yo(){return{path:location.pathname,query:new URLSearchParams(location.search)}}var bo=Ke(yo());addEventListener(`popstate`,()=>bo.set(yo()));function xo(e,t=!1){e!==location.pathname+location.search&&(t?history.replaceState(null,``,e):history.pushState(null,``,e),bo.set(yo()),t||scrollTo(0,0))}function So(){return H(bo)}function Co(e){let t=e.target.closest(`a`);t&&!e.defaultPrevented&&e.button===0&&(e.metaKey||e.ctrlKey||e.shiftKey||e.altKey||t.target||t.hasAttribute(`download`)||t.origin!==location.origin||t.pathname.startsWith(`/graphql`)||t.pathname.startsWith(`/exports`)||(e.preventDefault(),xo(t.pathname+t.search)))}var wo=[`CREATED_AT`,`UPDATED_AT`,`STARTED_AT`,`FINISHED_AT`,`PRIORITY`,`STATUS`,`WORKFLOW_KEY`,`DURATION`],To=[25,50,100],Eo=[`status`,`workflow`,`subject`,`priority`,`tags`,`created`,`duration`,`errors`],Do=[...Eo,`id`,`initiatedBy`,`started`,`finished`,`tenant`],Oo={filter:``,search:``,orderField:`CREATED_AT`,direction:`DESC`,size:50,after:null,before:null,columns:Eo};function ko(e){return Do.includes(e)||/^tags\.[A-Za-z0-9_.:-]+$/.test(e)}function Ao(e){let t=typeof e==`string`?new URLSearchParams(e):e,[n,r]=(t.get(`order`)??``).split(`.`),i=Number(t.get(`size`)),a=(t.get(`cols`)??``).split(`,`).filter(ko);return{filter:t.get(`filter`)??``,search:t.get(`q`)??``,orderField:wo.includes(n)?n:Oo.orderField,direction:r===`ASC`||r===`DESC`?r:Oo.direction,size:To.includes(i)?i:Oo.size,after:t.get(`after`),before:t.get(`after`)?null:t.get(`before`),columns:a.length?a:Oo.columns}}function jo(e){let t=new URLSearchParams;return e.filter&&t.set(`filter`,e.filter),e.search&&t.set(`q`,e.search),(e.orderField!==Oo.orderField||e.direction!==Oo.direction)&&t.set(`order`,`${e.orderField}.${e.direction}`),e.size!==Oo.size&&t.set(`size`,String(e.size)),e.after?t.set(`after`,e.after):e.before&&t.set(`before`,e.before),e.columns.join(`,`)!==Oo.columns.join(`,`)&&t.set(`cols`,e.columns.join(`,`)),t.toString()}function Mo(e,t){let n=`after`in t||`before`in t;return{...e,...n?{}:{after:null,before:null},...t}}function No(e,t){return Mo(e,{orderField:t,direction:e.orderField===t&&e.direction===`DESC`?`ASC`:`DESC`})}var Po=Object.assign;function Fo(e,t){for(var n in e)if(n!=`__source`&&e[n]!==t[n])return!0;for(var r in t)if(r!=`__source`&&!(r in e))return!0;return!1}var Io=/^(-|f[lo].*[^se]$|g.{5,}[^ps]$|z|o[pr]|(W.{5})?[lL]i.*(t|mp)$|an|(bo|s).{4}Im|sca|m.{6}[ds]|ta|c.*[st]$|wido|ini|asp|fill|st)/;function Lo(e,t){function n(e){var n=this.props.ref;return n!=e.ref&&n&&(typeof n==`function`?n(null):n.current=null),t?!t(this.props,e)||n!=e.ref:Fo(this.props,e)}function r(t){return this.shouldComponentUpdate=n,v(e,t)}return r.displayName=`Memo(`+(e.displayName||e.name)+`)`,r.prototype.isReactComponent=!0,r.type=e,r}var Ro=Symbol.for(`react.element`),zo=/^(?:accent|alignment|arabic|baseline|cap|clip(?!PathU)|color|dominant|fill|flood|font|glyph(?!R)|horiz|image(?!S)|letter|lighting|marker(?!H|W|U)|overline|paint|pointer|shape|stop|strikethrough|stroke|text(?!L)|transform|underline|unicode|units|v|vector|vert|word|writing|x(?!C))[A-Z]/,Bo=/[A-Z0-9]/g,Vo=typeof document<`u`,Ho=function(e){return/fil|che|rad/.test(e)};x.prototype.isReactComponent=!0,[`componentWillMount`,`componentWillReceiveProps`,`componentWillUpdate`].forEach(function(e){Object.defineProperty(x.prototype,e,{configurable:!0,get:function(){return this[`UNSAFE_`+e]},set:function(t){Object.defineProperty(this,e,{configurable:!0,writable:!0,value:t})}})});var Uo=e.event;e.event=function(e){return Uo&&(e=Uo(e)),e.persist=function(){},e.isPropagationStopped=function(){return this.cancelBubble},e.isDefaultPrevented=function(){return this.defaultPrevented},e.nativeEvent=e};var Wo={configurable:!0,get:function(){return this.class}},Go=e.vnode;e.vnode=function(e){if(typeof e.type==`string`)(function(e){var t=e.props,n=e.type,r={},i=n.indexOf(`-`)==-1;for(var a in t){var o=t[a];if(!(a==`value`&&`defaultValue`in t&&o==null||Vo&&a==`children`&&n==`noscript`||a==`class`||a==`className`)){if(a==`style`&&o&&o.constructor==Object){var s=void 0;for(var c in o)typeof o[c]!=`number`||Io.test(c)||(s||=o=Po({},o),o[c]+=`px`)}else if(a==`defaultValue`&&`value`in t&&t.value==null)a=`value`;else if(a==`download`&&!0===o)o=``;else if(a==`translate`&&o===`no`)o=!1;else if(a[0]==`o`&&a[1]==`n`){var l=a.toLowerCase();l==`ondoubleclick`?a=`ondblclick`:l!=`onchange`||n!=`input`&&n!=`textarea`||Ho(t.type)?l==`onfocus`?a=`onfocusin`:l==`onblur`&&(a=`onfocusout`):l=a=`oninput`,l==`oninput`&&r[a=l]&&(a=`oninputCapture`)}else i&&zo.test(a)?a=a.replace(Bo,`-$&`).toLowerCase():o===null&&(o=void 0);r[a]=o}}if(n==`select`){var u=r.defaultValue==null?r.multiple&&Array.isArray(r.value)?r.value:null:r.defaultValue;u!=null&&(r.value=k(t.children).forEach(function(e){e.props.selected=r.multiple?u.indexOf(e.props.value)!=-1:u==e.props.value}))}t.class&&!t.className?(r.class=t.class,Object.defineProperty(r,"className",Wo)):t.className&&(r.class=r.className=t.className),e.props=r})(e);else if(typeof e.type==`function`&&(`ref`in e.props&&`prototype`in e.type&&e.type.prototype.render&&(e.ref=e.props.ref,delete e.props.ref),e.type.defaultProps)){var t=Po({},e.props);for(var n in e.type.defaultProps)t[n]===void 0&&(t[n]=e.type.defaultProps[n]);e.props=t}e.ref&&!(`ref`in e.props)&&Object.defineProperty(e.props,"ref",{value:e.ref,configurable:!0,writable:!0}),e.$$typeof=Ro,Go&&Go(e)};function Ko(e,t){let n=e.reduce((e,t)=>t.createdAt>e?t.createdAt:e,``);return{rows:e,pending:[],watermark:n>t?n:t}}function qo(e){return new Date(e).getTime()}function Jo(e,t,n){if(!t.length)return e;let r=new Map;for(let e of t)r.set(e.id,e);let i=e.rows.map(e=>r.get(e.id)??e),a=new Set(i.map(e=>e.id)),o=e.pending.map(e=>r.get(e.id)??e),s=new Set(o.map(e=>e.id)),c=[...r.values()].filter(t=>!a.has(t.id)&&!s.has(t.id)&&qo(t.createdAt)>qo(e.watermark));return c.sort((e,t)=>qo(t.createdAt)-qo(e.createdAt)),n.autoInsert?(i=[...o,...c,...i].slice(0,n.size),o=[]):o=[...c,...o],{...e,rows:i,pending:o}}function Yo(e,t){return e.pending.length?{...e,rows:[...e.pending,...e.rows].slice(0,t),pending:[]}:e}var Xo=[`PENDING`,`BLOCKED`,`RUNNING`,`PAUSED`,`CANCELING`,`COMPLETED`,`FAILED`,`TIMED_OUT`,`CANCELED`,`TERMINATED`,`ABANDONED`],Zo=1e3,Qo={status:`STATUS`,workflow:`WORKFLOW_KEY`,priority:`PRIORITY`,created:`CREATED_AT`,duration:`DURATION`,started:`STARTED_AT`,finished:`FINISHED_AT`},$o={status:`Status`,workflow:`Workflow`,subject:`Subject`,priority:`Priority`,tags:`Tags`,created:`Created`,duration:`Duration`,errors:`Errors`,id:`Id`,initiatedBy:`Started by`,started:`Started`,finished:`Finished`,tenant:`Tenant`},es=`flowdeck.views`,ts=`flowdeck.defaultView`;function ns(){try{return JSON.parse(localStorage.getItem(es)??`[]`)}catch{return[]}}function rs(e){let t=new Date(Date.now()-864e5).toISOString(),n=(e,t)=>({name:e,query:jo(Ao(new URLSearchParams({filter:t})))});return[n(`Running`,$(`status`,`eq`,`RUNNING`)),n(`Failed in the last 24 h`,`${$(`status`,`eq`,`FAILED`)} and ${$(`finished_at`,`ge`,t)}`),n(`Blocked`,$(`status`,`eq`,`BLOCKED`)),n(`Started by me`,$(`initiated_by`,`eq`,`apikey:${e}`))]}function is(e,t){return e.tags.find(e=>e.key===t)?.value??``}function as(){let{query:e}=So(),t=H(cn);return L(()=>{if(!e.toString()){let e=localStorage.getItem(ts),t=ns().find(t=>t.name===e);t?.query&&xo(`/?${t.query}`,!0)}},[e]),G(`main`,{class:`page`,children:G(os,{state:R(()=>Ao(e),[e]),setState:Ee(e=>{let t=jo(e);xo(t?`/?${t}`:`/`,!0)},[]),me:t?.name??``})})}function os({state:e,setState:t,me:n,fixedFilter:r=``}){let i=[r,e.filter].filter(Boolean).map(e=>/\bor\b/i.test(e)?`(${e})`:e).join(` and `),[a,o]=I(null),[s,c]=I(null),[l,u]=I(null),[d,f]=I(!1),[p,m]=I(new Set),[h,g]=I(!1),[_,v]=I(!1),[y,b]=I(null),[x,S]=I(0),C=xt(),w=!_&&C,T=Te(!1);T.current=!e.after&&!e.before&&p.size===0&&!h&&e.orderField===`CREATED_AT`&&e.direction===`DESC`;let E=R(()=>({filter:i||null,search:e.search||null,orderBy:[{field:e.orderField,direction:e.direction}],...e.before?{last:e.size,before:e.before}:{first:e.size,after:e.after}}),[i,e.search,e.orderField,e.direction,e.size,e.after,e.before]);L(()=>{let e=!0;f(!0);let t=new Date().toISOString();return W(kt,E).then(n=>{if(!e)return;let r=n.runs.edges.map(e=>e.node);o(Ko(r,t));let i=n.runs.pageInfo;c({total:n.runs.totalCount,hasNext:i.hasNextPage,hasPrev:i.hasPreviousPage,start:i.startCursor??null,end:i.endCursor??null}),u(null),b(Date.now())}).catch(t=>e&&(u(t),o(null))).finally(()=>e&&f(!1)),()=>{e=!1}},[E,x]);let[ee,D]=I(null),O=Te({last:0,timer:null}),k=Ee(()=>{let e=O.current;if(e.timer)return;let t=Math.max(0,e.last+1e4-Date.now());e.timer=setTimeout(()=>{e.timer=null,e.last=Date.now(),W(At,{filter:r||null}).then(e=>D(e.runStats)).catch(()=>void 0)},t)},[r]);L(()=>(k(),()=>{O.current.timer&&clearTimeout(O.current.timer),O.current.timer=null}),[k]),L(()=>{if(!w||l)return;let t=pt(t=>{o(n=>n&&Jo(n,t,{autoInsert:T.current,size:e.size})),b(Date.now()),k()},Zo),n=it(jt,{filter:i||null},e=>t.push(e.runChanged));return()=>{n(),t.cancel()}},[w,i,l===null,e.size,k]);let te=Te(w);L(()=>{w&&!te.current&&S(e=>e+1),te.current=w},[w]);let A=a?.rows??[],ne=Ee(e=>{m(t=>{let n=new Set(t);return n.has(e)?n.delete(e):n.add(e),n}),g(!1)},[]),j=Te(e);j.current=e;let re=Ee(e=>t(Mo(j.current,{filter:go(j.current.filter,e)})),[t]);return G(`div`,{class:`runs-page`,children:[G(`div`,{class:`page-head`,children:[r?G(`span`,{}):G(`h1`,{children:`Runs`}),G(cs,{paused:_,hidden:!C,updatedAt:y,onToggle:()=>v(!_)})]}),!r&&G(ps,{state:e,setState:t,me:n}),G(us,{state:e,setState:t,error:l}),G(ls,{stats:ee,onPick:e=>re($(`status`,`eq`,e))}),G(`div`,{class:`toolbar`,children:[a&&a.pending.length>0&&G(`button`,{type:`button`,class:`pill`,onClick:()=>o(Yo(a,e.size)),children:[`+`,a.pending.length,` new`]}),G(fs,{state:e,setState:t}),G(gs,{filter:i,state:e})]}),(p.size>0||h)&&G(hs,{ids:h?null:[...p],filter:i,total:s?.total??0,allMatching:h,onAllMatching:()=>g(!0),onDone:()=>{m(new Set),g(!1),S(e=>e+1)}}),l?null:G(`div`,{class:`table-wrap`,"aria-busy":d,children:[G(`table`,{class:`runs`,children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{class:`check`,children:G(`input`,{type:`checkbox`,"aria-label":`Select every run on this page`,checked:A.length>0&&A.every(e=>p.has(e.id)),onChange:e=>m(e.currentTarget.checked?new Set(A.map(e=>e.id)):new Set)})}),e.columns.map(n=>{let r=Qo[n],i=$o[n]??n;if(!r)return G(`th`,{children:i},n);let a=e.orderField===r;return G(`th`,{"aria-sort":a?e.direction===`ASC`?`ascending`:`descending`:`none`,children:G(`button`,{type:`button`,class:`sort`,onClick:()=>t(No(e,r)),children:[i,` `,a?e.direction===`ASC`?`▲`:`▼`:``]})},n)})]})}),G(`tbody`,{children:A.map(t=>G(ss,{row:t,columns:e.columns,selected:p.has(t.id)||h,onToggle:ne,onAdd:re},t.id))})]}),a&&A.length===0&&G(`p`,{class:`empty`,children:`No runs match.`})]}),G(`div`,{class:`pager`,children:[G(`span`,{class:`muted`,children:s?`${s.total} runs`:``}),G(`label`,{children:[`Page size`,` `,G(`select`,{value:e.size,onChange:n=>t(Mo(e,{size:Number(n.currentTarget.value)})),children:To.map(e=>G(`option`,{value:e,children:e},e))})]}),G(`button`,{type:`button`,disabled:!s?.hasPrev,onClick:()=>t(Mo(e,{before:s?.start??null,after:null})),children:`← Newer`}),G(`button`,{type:`button`,disabled:!s?.hasNext,onClick:()=>t(Mo(e,{after:s?.end??null,before:null})),children:`Older →`})]})]})}var ss=Lo(function({row:e,columns:t,selected:n,onToggle:r,onAdd:i}){let a=t=>{switch(t){case`status`:return G(`button`,{type:`button`,class:`cell-value`,title:`Add to the filter`,onClick:()=>i($(`status`,`eq`,e.status)),children:G(_t,{status:e.status})});case`workflow`:return G(b,{children:[G(`a`,{href:`/runs/${encodeURIComponent(e.id)}`,class:`run-link`,children:e.workflow.name}),` `,G(`button`,{type:`button`,class:`cell-value muted`,title:`Add to the filter`,onClick:()=>i($(`workflow_key`,`eq`,e.workflow.key)),children:[e.workflow.key,` v`,e.workflowVersion]})]});case`subject`:return e.subject?G(`button`,{type:`button`,class:`cell-value`,title:`Add to the filter`,onClick:()=>i($(`subject_id`,`eq`,e.subject.id)),children:e.subject.name??e.subject.id}):G(`span`,{class:`muted`,children:`—`});case`priority`:return G(`button`,{type:`button`,class:`cell-value`,onClick:()=>i($(`priority`,`eq`,e.priority)),children:e.priority});case`tags`:return e.tags.map(e=>G(`button`,{type:`button`,class:`tag cell-value`,onClick:()=>i($(`tags.${e.key}`,`eq`,e.value)),children:[e.key,`=`,e.value]},e.key));case`created`:return G(K,{at:e.createdAt});case`started`:return G(K,{at:e.startedAt});case`finished`:return G(K,{at:e.finishedAt});case`duration`:return ut(e.durationSeconds);case`errors`:return e.errorCount?G(`span`,{class:`err`,title:e.error?.message??``,children:e.errorCount}):G(`span`,{class:`muted`,children:`0`});case`id`:return G(`code`,{children:e.id});case`initiatedBy`:return e.initiatedBy;case`tenant`:return e.tenant??`—`;default:if(t.startsWith(`tags.`)){let n=is(e,t.slice(5));return n?G(`button`,{type:`button`,class:`cell-value`,onClick:()=>i($(t,`eq`,n)),children:n}):G(`span`,{class:`muted`,children:`—`})}return null}};return G(`tr`,{"data-run-id":e.id,"data-status":e.status,class:n?`selected`:``,children:[G(`td`,{class:`check`,children:G(`input`,{type:`checkbox`,"aria-label":`Select run ${e.id}`,checked:n,onChange:()=>r(e.id)})}),t.map(e=>G(`td`,{"data-col":e,children:a(e)},e))]})});function cs({paused:e,hidden:t,updatedAt:n,onToggle:r}){let i=H(et),a=gt(),o=e||t?`paused`:i===`connected`?`live`:i,s=e?`Paused`:t?`Paused (tab hidden)`:i===`connected`?`Live`:i===`connecting`?`Connecting…`:`Offline`,c=n?Math.max(0,Math.round((a-n)/1e3)):null;return G(`div`,{class:`live live-${o}`,"data-state":o,children:[G(`span`,{class:`dot`,"aria-hidden":`true`}),G(`span`,{class:`live-label`,children:s}),c!==null&&G(`span`,{class:`muted`,children:[`updated `,c,` s ago`]}),G(`button`,{type:`button`,class:`small`,onClick:r,children:e?`Resume`:`Pause`})]})}function ls({stats:e,onPick:t}){return e?G(`div`,{class:`counts`,"aria-label":`Runs by status`,children:e.byStatus.filter(e=>e.count>0).map(e=>G(`button`,{type:`button`,class:`count status-${e.status}`,"data-status":e.status,onClick:()=>t(e.status),children:[e.status.replace(`_`,` `),` `,G(`b`,{children:e.count})]},e.status))}):G(`div`,{class:`counts`})}function us({state:e,setState:t,error:n}){let[r,i]=I(e.filter),[a,o]=I(e.search),[s,c]=I(!1),l=Te(null);L(()=>i(e.filter),[e.filter]),L(()=>o(e.search),[e.search]),L(()=>{let e=e=>{let t=e.target;e.key===`/`&&![`INPUT`,`TEXTAREA`,`SELECT`].includes(t.tagName)&&(e.preventDefault(),l.current?.focus())};return addEventListener(`keydown`,e),()=>removeEventListener(`keydown`,e)},[]);let u=n?.code===`BAD_FILTER`?n:null;return L(()=>{u?.position!=null&&l.current&&(l.current.focus(),l.current.setSelectionRange(u.position,Math.min(u.position+1,e.filter.length)))},[u]),G(`section`,{class:`filterbar`,children:[G(`form`,{class:`filter-row`,onSubmit:n=>{n.preventDefault(),t(Mo(e,{filter:r.trim(),search:a.trim()}))},children:[G(`input`,{ref:l,class:`filter-input ${u?`invalid`:``}`,name:`filter`,"aria-label":`Filter (FILTER.md), press / to focus`,placeholder:`Filter, e.g. status eq "FAILED" and tags.region eq "eu"   ( / )`,value:r,spellcheck:!1,onInput:e=>i(e.currentTarget.value)}),G(`input`,{class:`search-input`,name:`search`,type:`search`,"aria-label":`Search`,placeholder:`Search id, workflow, subject`,value:a,onInput:e=>o(e.currentTarget.value)}),G(`button`,{type:`submit`,class:`primary`,children:`Apply`}),G(`button`,{type:`button`,onClick:()=>c(!s),"aria-expanded":s,children:`Builder`}),(e.filter||e.search)&&G(`button`,{type:`button`,class:`ghost`,onClick:()=>t(Mo(e,{filter:``,search:``})),children:`Clear`})]}),u&&G(`div`,{class:`bad-filter`,role:`alert`,"data-position":u.position??``,children:[G(`div`,{children:u.message}),u.position!=null&&G(`pre`,{class:`caret`,children:[e.filter,`
`,` `.repeat(u.position),`^`]})]}),n&&!u&&G(q,{error:n}),s&&G(ds,{onApply:n=>t(Mo(e,{filter:go(e.filter,n)}))})]})}function ds({onApply:e}){let[t,n]=I({statuses:[],workflow:``,tags:[],range:``}),[r,i]=I([]),[a,o]=I(``),[s,c]=I(``);L(()=>{W(Mt).then(e=>i(e.workflows.edges.map(e=>e.node))).catch(()=>void 0)},[]);let l=vo(t,new Date);return G(`div`,{class:`builder`,children:[G(`fieldset`,{children:[G(`legend`,{children:`Status`}),Xo.map(e=>G(`label`,{class:`chip`,children:[G(`input`,{type:`checkbox`,checked:t.statuses.includes(e),onChange:r=>n({...t,statuses:r.currentTarget.checked?[...t.statuses,e]:t.statuses.filter(t=>t!==e)})}),e]},e))]}),G(`label`,{children:[`Workflow`,` `,G(`select`,{value:t.workflow,onChange:e=>n({...t,workflow:e.currentTarget.value}),children:[G(`option`,{value:``,children:`any`}),r.map(e=>G(`option`,{value:e.key,children:[e.name,` (`,e.key,`)`]},e.key))]})]}),G(`span`,{class:`tag-chip`,children:[`Tag `,G(`input`,{"aria-label":`Tag key`,placeholder:`key`,value:a,size:8,onInput:e=>o(e.currentTarget.value)}),`=`,G(`input`,{"aria-label":`Tag value`,placeholder:`value`,value:s,size:8,onInput:e=>c(e.currentTarget.value)}),G(`button`,{type:`button`,class:`small`,onClick:()=>{a&&n({...t,tags:[...t.tags,{key:a,value:s}]}),o(``),c(``)},children:`Add`})]}),G(`label`,{children:[`Created`,` `,G(`select`,{value:t.range,onChange:e=>n({...t,range:e.currentTarget.value}),children:[G(`option`,{value:``,children:`any time`}),G(`option`,{value:`1h`,children:`last 1 h`}),G(`option`,{value:`24h`,children:`last 24 h`}),G(`option`,{value:`7d`,children:`last 7 d`}),G(`option`,{value:`custom`,children:`custom`})]})]}),t.range===`custom`&&G(`span`,{children:[G(`input`,{type:`datetime-local`,"aria-label":`From`,onInput:e=>n({...t,customFrom:e.currentTarget.value})}),`–`,G(`input`,{type:`datetime-local`,"aria-label":`To`,onInput:e=>n({...t,customTo:e.currentTarget.value})})]}),G(`code`,{class:`preview`,children:l||`(nothing chosen)`}),G(`button`,{type:`button`,class:`primary`,disabled:!l,onClick:()=>e(vo(t,new Date)),children:`Add to filter`})]})}function fs({state:e,setState:t}){let[n,r]=I(``),i=n=>t({...e,columns:e.columns.includes(n)?e.columns.filter(e=>e!==n):[...e.columns,n]});return G(`details`,{class:`menu columns`,children:[G(`summary`,{children:`Columns`}),G(`div`,{class:`menu-body`,children:[Do.map(t=>G(`label`,{children:[G(`input`,{type:`checkbox`,checked:e.columns.includes(t),onChange:()=>i(t)}),` `,$o[t]]},t)),e.columns.filter(e=>e.startsWith(`tags.`)).map(e=>G(`label`,{children:[G(`input`,{type:`checkbox`,checked:!0,onChange:()=>i(e)}),` `,e]},e)),G(`form`,{onSubmit:e=>{e.preventDefault(),n.trim()&&i(`tags.${n.trim()}`),r(``)},children:[G(`input`,{"aria-label":`Tag column`,placeholder:`tag key`,value:n,size:10,onInput:e=>r(e.currentTarget.value)}),G(`button`,{type:`submit`,class:`small`,children:`Add tags.KEY`})]}),G(`button`,{type:`button`,class:`small ghost`,onClick:()=>t({...e,columns:Eo}),children:`Reset`})]})]})}function ps({state:e,setState:t,me:n}){let[r,i]=I(ns),[a,o]=I(localStorage.getItem(ts)??``),s=jo(e),c=e=>{localStorage.setItem(es,JSON.stringify(e)),i(e)},l=e=>t(Ao(e.query));return G(`div`,{class:`views`,"aria-label":`Views`,children:[G(`button`,{type:`button`,class:s===``?`view active`:`view`,onClick:()=>t(Ao(``)),children:`All runs`}),rs(n).map(e=>G(`button`,{type:`button`,class:e.query===s?`view active`:`view`,onClick:()=>l(e),children:e.name},e.name)),r.map(e=>G(`span`,{class:`view saved ${e.query===s?`active`:``}`,"data-view":e.name,children:[G(`button`,{type:`button`,class:`view-open`,onClick:()=>l(e),children:[a===e.name?`★ `:``,e.name]}),G(`a`,{class:`view-link`,href:`/?${e.query}`,title:`Link to this view (shareable)`,children:`link`}),G(`button`,{type:`button`,class:`small ghost`,title:`Open this view by default`,onClick:()=>{let t=a===e.name?``:e.name;localStorage.setItem(ts,t),o(t)},children:`★`}),G(`button`,{type:`button`,class:`small ghost`,"aria-label":`Delete view ${e.name}`,onClick:()=>c(r.filter(t=>t.name!==e.name)),children:`×`})]},e.name)),G(`button`,{type:`button`,class:`small`,onClick:()=>{let e=prompt(`Name of this view`)?.trim();e&&c([...r.filter(t=>t.name!==e),{name:e,query:s}])},children:`Save view`})]})}var ms=[{action:`CANCEL`,label:`Cancel`,role:`OPERATOR`},{action:`TERMINATE`,label:`Terminate`,role:`OPERATOR`},{action:`PAUSE`,label:`Pause`,role:`OPERATOR`},{action:`RESUME`,label:`Resume`,role:`OPERATOR`},{action:`RETRY`,label:`Retry`,role:`OPERATOR`},{action:`RESTART`,label:`Restart`,role:`ADMIN`},{action:`UNBLOCK`,label:`Unblock`,role:`OPERATOR`},{action:`ABANDON`,label:`Abandon`,role:`OPERATOR`}];function hs({ids:e,filter:t,total:n,allMatching:r,onAllMatching:i,onDone:a}){let[o,s]=I(``),[c,l]=I(``),[u,d]=I(null),[f,p]=I(null),[m,h]=I(null),[g,_]=I(!1),v=ms.filter(e=>un(e.role)),y=e?e.map(e=>$(`id`,`eq`,e)).join(` or `):null,x=async n=>{if(o===`UNBLOCK`||o===`ABANDON`){let r=e&&e.length===1?{id:e[0]}:{filter:y??(t||null)};return n?{matched:(await W(At,{filter:go(r.filter??$(`id`,`eq`,e[0]),$(`status`,`eq`,`BLOCKED`))})).runStats.total,succeeded:0,failed:0,dryRun:!0,failures:[],errors:[]}:(await W(Pt,{input:{...r,action:o===`UNBLOCK`?`RUN`:`ABANDON`,reason:c||null}})).unblockRuns}let r=e?{ids:e}:{filter:t||null};if(!e&&!t)throw Error(`Choose a filter first: an action on every run is not offered.`);return(await W(Nt,{input:{action:o,...r,reason:c||null,dryRun:n}})).bulkRunAction},[S,C]=I(null),w=async()=>{if(!u||u.matched<=1e3||o===`UNBLOCK`||o===`ABANDON`||!(await sn()).has(`bulkJobs`))return!1;let n=(await W(_n,{input:{action:o,...e?{ids:e}:{filter:t||null},reason:c||null,background:!0}})).bulkRunAction;return n.errors.length?h(Error(n.errors.map(e=>e.message).join(`; `))):(C(n.job),d(null)),!0},T=async e=>{_(!0),h(null);try{if(!e&&await w())return;let t=await x(e);t.errors.length?h(Error(t.errors.map(e=>e.message).join(`; `))):e?d(t):(p(t),d(null))}catch(e){h(e)}finally{_(!1)}};return G(`section`,{class:`bulk`,"aria-label":`Bulk action`,children:[G(`span`,{children:[r?`All ${n} runs matching the filter`:`${e?.length??0} selected`,!r&&t&&G(`button`,{type:`button`,class:`small ghost`,onClick:i,children:[`Select all `,n,` matching`]})]}),v.length===0&&G(`span`,{class:`muted`,children:`Your role cannot act on runs.`}),v.length>0&&G(b,{children:[G(`select`,{"aria-label":`Bulk action`,value:o,onChange:e=>(s(e.currentTarget.value),d(null),p(null)),children:[G(`option`,{value:``,children:`Action…`}),v.map(e=>G(`option`,{value:e.action,children:e.label},e.action))]}),G(`input`,{"aria-label":`Reason`,placeholder:`reason (optional)`,value:c,onInput:e=>l(e.currentTarget.value)}),G(`button`,{type:`button`,disabled:!o||g,onClick:()=>T(!0),children:`Preview`})]}),u&&G(`span`,{class:`confirm`,role:`status`,children:[`This would `,o.toLowerCase(),` `,G(`b`,{class:`dry-count`,children:u.matched}),` run`,u.matched===1?``:`s`,`.`,` `,G(`button`,{type:`button`,class:`danger`,disabled:g,onClick:()=>T(!1),children:[`Confirm `,o.toLowerCase()]}),G(`button`,{type:`button`,class:`ghost`,onClick:()=>d(null),children:`Back`})]}),f&&G(`div`,{class:`bulk-result`,role:`status`,children:[G(`b`,{class:`succeeded`,children:[f.succeeded,` succeeded`]}),`, `,G(`b`,{class:`failed`,children:[f.failed,` failed`]}),f.failures.length>0&&G(`ul`,{children:[f.failures.map(e=>G(`li`,{children:[G(`a`,{href:`/runs/${encodeURIComponent(e.runId)}`,children:e.runId}),`: `,e.message]},e.runId)),f.failed>f.failures.length&&G(`li`,{children:[f.failed-f.failures.length,` more`]})]}),G(`button`,{type:`button`,class:`small`,onClick:a,children:`Done`})]}),S&&G(`div`,{class:`table-wrap bulk-job`,children:G(`table`,{children:G(`tbody`,{children:G(Tn,{job:S,onCancel:async()=>{let e=await En(S.id).catch(e=>e.message);e&&h(Error(e))}})})})}),G(q,{error:m})]})}function gs({filter:e,state:t}){let[n,r]=I(null),[i,a]=I(null),[o,s]=I(`CSV`);return L(()=>{if(n&&n.status!==`COMPLETED`&&n.status!==`FAILED`)return it(It,{id:n.id},e=>r(e.exportJob),a)},[n?.id,n?.status===`COMPLETED`||n?.status===`FAILED`]),G(`span`,{class:`export`,children:[G(`select`,{"aria-label":`Export format`,value:o,onChange:e=>s(e.currentTarget.value),children:[G(`option`,{value:`CSV`,children:`CSV`}),G(`option`,{value:`JSONL`,children:`JSONL`})]}),G(`button`,{type:`button`,onClick:async()=>{a(null);try{let n=await W(Ft,{input:{filter:e||null,format:o,orderBy:[{field:t.orderField,direction:t.direction}]}});n.exportRuns.errors.length?a(Error(n.exportRuns.errors.map(e=>e.message).join(`; `))):(r(n.exportRuns.job),Sn(n.exportRuns.job.id))}catch(e){a(e)}},disabled:!!n&&n.status!==`COMPLETED`&&n.status!==`FAILED`,children:`Export`}),n&&G(`span`,{class:`export-job`,"data-status":n.status,children:[G(`progress`,{max:1,value:n.progress}),` `,Math.round(n.progress*100),`% · `,n.rowCount,` rows`,n.status===`COMPLETED`&&n.url&&G(`button`,{type:`button`,class:`small primary`,onClick:async()=>{try{ot(await at(n.url),`runs.${n.format===`CSV`?`csv`:`jsonl`}`)}catch(e){a(e)}},children:`Download`}),n.status===`FAILED`&&G(`span`,{class:`err`,children:n.error})]}),G(q,{error:i})]})}function _s(e,t,n=``){return`/workflows/${encodeURIComponent(e)}?project=${encodeURIComponent(t)}${n}`}function vs(){let[e,t]=I(null),[n,r]=I(null);return L(()=>{W(tn).then(e=>t(e.workflows.edges.map(e=>e.node))).catch(r)},[]),G(`main`,{class:`page`,children:[G(`h1`,{children:`Workflows`}),G(q,{error:n}),e&&G(`div`,{class:`table-wrap`,children:[G(`table`,{class:`workflows`,children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{children:`Workflow`}),G(`th`,{children:`Key`}),G(`th`,{children:`Version`}),G(`th`,{children:`Project`}),G(`th`,{children:`Updated`})]})}),G(`tbody`,{children:e.map(e=>G(`tr`,{"data-key":e.key,children:[G(`td`,{children:[G(`a`,{href:_s(e.key,e.project.key),children:e.name}),e.description&&G(`div`,{class:`muted`,children:e.description})]}),G(`td`,{children:G(`code`,{children:e.key})}),G(`td`,{children:[`v`,e.version]}),G(`td`,{children:e.project.key}),G(`td`,{children:G(K,{at:e.updatedAt})})]},`${e.project.key}/${e.key}`))})]}),e.length===0&&G(`p`,{class:`empty`,children:`No workflows yet.`})]})]})}function ys({steps:e}){let t=R(()=>mo(po(e.map(e=>({...e,status:null})))),[e]);return G(`div`,{class:`dag`,children:G(`svg`,{width:t.width,height:t.height,role:`img`,"aria-label":`Step graph`,children:[t.edges.map(e=>G(`polyline`,{class:`edge`,points:e.points.map(e=>`${e.x},${e.y}`).join(` `)},`${e.from}-${e.to}`)),t.nodes.map(e=>G(`g`,{class:`node`,"data-ref":e.ref,transform:`translate(${e.x-e.width/2},${e.y-e.height/2})`,children:[G(`rect`,{class:`box`,width:e.width,height:e.height,rx:`6`}),G(`text`,{x:`10`,y:`18`,class:`node-label`,children:e.label}),G(`text`,{x:`10`,y:`35`,class:`node-meta`,children:e.type})]},e.ref))]})})}function bs({workflowKey:e}){let{query:t}=So(),n=H(cn),[r,i]=I(void 0),[a,o]=I(null),[s,c]=I(null),[l,u]=I([]),[d,f]=I({...Oo,size:25}),p=t.get(`project`),m=$(`workflow_key`,`eq`,e);if(L(()=>{W(nn,{key:e,project:p}).then(e=>i(e.workflow??null)).catch(o),W(At,{filter:m}).then(e=>u(e.runStats.byStatus)).catch(o)},[e,p]),a)return G(`main`,{class:`page`,children:G(q,{error:a})});if(r===void 0)return G(`main`,{class:`page loading`,children:`Loading…`});if(r===null)return G(`main`,{class:`page`,children:G(`h1`,{children:`Workflow not found`})});let h=r.versions.find(e=>e.version===(s??r.version))??r.versions[r.versions.length-1];return G(`main`,{class:`page workflow-page`,children:[G(`h1`,{children:[r.name,` `,G(`span`,{class:`muted`,children:r.key})]}),r.description&&G(`p`,{children:r.description}),G(`div`,{class:`counts`,children:l.filter(e=>e.count>0).map(e=>G(`span`,{class:`count status-${e.status}`,"data-status":e.status,children:[e.status,` `,G(`b`,{children:e.count})]},e.status))}),G(`section`,{children:[G(`h2`,{children:[`Version`,` `,G(`select`,{"aria-label":`Version`,value:h?.version,onChange:e=>c(Number(e.currentTarget.value)),children:r.versions.map(e=>G(`option`,{value:e.version,children:[`v`,e.version]},e.version))})]}),h&&G(b,{children:[G(`p`,{class:`muted`,children:[`by `,h.createdBy,`, `,G(K,{at:h.createdAt}),`, `,h.steps.length,` steps, at most `,h.maxParallelSteps,` in parallel`]}),G(ys,{steps:h.steps})]})]}),un(`OPERATOR`)&&G(xs,{workflowKey:e,project:r.project.key,likeRun:t.get(`start`)}),G(`section`,{children:[G(`h2`,{children:`Runs`}),G(os,{state:d,setState:f,me:n?.name??``,fixedFilter:m})]})]})}function xs({workflowKey:e,project:t,likeRun:n}){let[r,i]=I(`{}`),[a,o]=I({type:``,id:``,name:``}),[s,c]=I(`NORMAL`),[l,u]=I(``),[d,f]=I(``),[p,m]=I(null),[h,g]=I(!1);return L(()=>{n&&W(Rt,{id:n}).then(e=>{let t=e.run;t&&(i(JSON.stringify(t.input??{},null,2)),t.subject&&o({type:t.subject.type,id:t.subject.id,name:t.subject.name??``}),c(t.priority),u(t.tags.map(e=>`${e.key}=${e.value}`).join(`, `)))}).catch(m)},[n]),G(`section`,{class:`start-form`,children:[G(`h2`,{children:`Start a run`}),G(`form`,{onSubmit:async n=>{n.preventDefault(),m(null);let i;try{i=r.trim()?JSON.parse(r):null}catch(e){m(Error(`The input is not valid JSON: ${e.message}`));return}g(!0);try{let n=l.split(`,`).map(e=>e.trim()).filter(Boolean).map(e=>{let[t,...n]=e.split(`=`);return{key:t.trim(),value:n.join(`=`).trim()}}),r=(await W(rn,{input:{workflowKey:e,project:t,input:i,priority:s,tags:n.length?n:null,reason:d||null,subject:a.type&&a.id?{type:a.type,id:a.id,name:a.name||null}:null}})).startRun;r.errors.length?m(Error(r.errors.map(e=>`${e.field?.join(`.`)??``} ${e.message}`.trim()).join(`; `))):r.run&&xo(`/runs/${encodeURIComponent(r.run.id)}`)}catch(e){m(e)}finally{g(!1)}},children:[G(`label`,{children:[`Input (JSON)`,G(`textarea`,{name:`input`,rows:6,spellcheck:!1,value:r,onInput:e=>i(e.currentTarget.value)})]}),G(`div`,{class:`row`,children:[G(`label`,{children:[`Subject type`,G(`input`,{name:`subjectType`,value:a.type,onInput:e=>o({...a,type:e.currentTarget.value})})]}),G(`label`,{children:[`Subject id`,G(`input`,{name:`subjectId`,value:a.id,onInput:e=>o({...a,id:e.currentTarget.value})})]}),G(`label`,{children:[`Subject name`,G(`input`,{name:`subjectName`,value:a.name,onInput:e=>o({...a,name:e.currentTarget.value})})]})]}),G(`div`,{class:`row`,children:[G(`label`,{children:[`Priority`,G(`select`,{name:`priority`,value:s,onChange:e=>c(e.currentTarget.value),children:[`LOW`,`NORMAL`,`HIGH`,`CRITICAL`].map(e=>G(`option`,{children:e},e))})]}),G(`label`,{children:[`Tags (key=value, …)`,G(`input`,{name:`tags`,value:l,onInput:e=>u(e.currentTarget.value)})]}),G(`label`,{children:[`Reason`,G(`input`,{name:`reason`,value:d,onInput:e=>f(e.currentTarget.value)})]})]}),G(q,{error:p}),G(`button`,{type:`submit`,class:`primary`,disabled:h,children:`Start run`})]})]})}var Ss={COMPLETED:`#2e9d57`,RUNNING:`#2f7de1`,FAILED:`#d64545`,TIMED_OUT:`#d64545`,WAITING:`#c98a12`,QUEUED:`#8a63d2`,PENDING:`#8b95a5`,BLOCKED:`#c98a12`,PAUSED:`#c98a12`,CANCELING:`#b0651b`,CANCELED:`#6b7280`,TERMINATED:`#6b7280`,ABANDONED:`#6b7280`,SKIPPED:`#9aa3af`};function Cs(e,t){document.title=e?`${e} · ${t} · flowdeck`:`flowdeck`;let n=`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${e&&Ss[e]||`#8b95a5`}"/></svg>`,r=document.getElementById(`favicon`);r&&(r.href=`data:image/svg+xml,${encodeURIComponent(n)}`)}function ws({id:e}){let{query:t}=So(),n=t.get(`tab`)??`history`,r=t.get(`step`),i=t.get(`seq`)?Number(t.get(`seq`)):null,a=Ee(t=>{let n=new URLSearchParams(location.search);for(let[e,r]of Object.entries(t))r===null?n.delete(e):n.set(e,r);let r=n.toString();xo(`/runs/${encodeURIComponent(e)}${r?`?${r}`:``}`,!0)},[e]),[o,s]=I(null),[c,l]=I(null),[u,d]=I(!1),f=Ee(async()=>{try{let t=await W(Rt,{id:e});t.run?(s(t.run),d(!1)):d(!0),l(null)}catch(e){l(e)}},[e]);L(()=>{s(null),f()},[f]),L(()=>(Cs(o?.status??null,o?.workflow.name??`run`),()=>Cs(null,``)),[o?.status,o?.workflow.name]);let p=Te({busy:!1,again:!1}),m=Ee(()=>{let e=p.current;e.busy?e.again=!0:(e.busy=!0,f().finally(()=>{e.busy=!1,e.again&&(e.again=!1,m())}))},[f]);if(u)return G(`main`,{class:`page`,children:[G(`h1`,{children:`Run not found`}),G(`p`,{children:[`No run with id `,G(`code`,{children:e}),` is visible to your key.`]})]});if(c&&!o)return G(`main`,{class:`page`,children:G(q,{error:c})});if(!o)return G(`main`,{class:`page loading`,children:`Loading run…`});let h=o.steps;return G(`main`,{class:`page run-page`,"data-run-status":o.status,children:[G(Es,{run:o}),G(q,{error:c}),G(Ms,{run:o,onDone:m}),G(`section`,{class:`graph-and-timeline`,children:[G(Ns,{steps:h,selected:r,onSelect:e=>a({step:e})}),G(Ps,{steps:h,selected:r,onSelect:e=>a({step:e})})]}),G(`div`,{class:`tabs`,role:`tablist`,children:[`history`,`steps`,`updates`,`data`].map(e=>G(`button`,{type:`button`,role:`tab`,"aria-selected":n===e,class:n===e?`tab active`:`tab`,onClick:()=>a({tab:e}),children:e===`data`?`Input & output`:e[0].toUpperCase()+e.slice(1)},e))}),G(`div`,{hidden:n!==`steps`,children:G(Fs,{run:o,selected:r,onSelect:e=>a({step:e}),onDone:m})}),G(`div`,{hidden:n!==`history`,children:G(Ls,{run:o,selectedSeq:i,onSelectSeq:e=>a({seq:String(e)}),onEvent:m})}),G(`div`,{hidden:n!==`updates`,children:G(Rs,{runId:o.id})}),G(`div`,{hidden:n!==`data`,class:`data`,children:[G(yt,{label:`Input`,value:o.input}),G(yt,{label:`Output`,value:o.output})]})]})}function Ts({label:e,run:t}){return t?G(`span`,{class:`run-ref`,children:[e,`: `,G(`a`,{href:`/runs/${encodeURIComponent(t.id)}`,children:[t.id.slice(0,10),`…`]}),` `,G(_t,{status:t.status})]}):null}function Es({run:e}){return G(`header`,{class:`run-header`,children:[G(`div`,{class:`run-title`,children:[G(_t,{status:e.status}),G(`h1`,{children:[G(`a`,{href:_s(e.workflow.key,e.project.key),children:e.workflow.name}),` `,G(`span`,{class:`muted`,children:[`v`,e.workflowVersion]})]})]}),G(`dl`,{class:`facts`,children:[G(`div`,{children:[G(`dt`,{children:`Id`}),G(`dd`,{children:[G(`code`,{class:`run-id`,children:e.id}),` `,G(vt,{text:e.id})]})]}),e.subject&&G(`div`,{children:[G(`dt`,{children:`Subject`}),G(`dd`,{children:[e.subject.name??e.subject.id,` `,G(`span`,{class:`muted`,children:[`(`,e.subject.type,` `,e.subject.id,`)`]})]})]}),G(`div`,{children:[G(`dt`,{children:`Created`}),G(`dd`,{children:G(K,{at:e.createdAt})})]}),G(`div`,{children:[G(`dt`,{children:`Started`}),G(`dd`,{children:G(K,{at:e.startedAt})})]}),G(`div`,{children:[G(`dt`,{children:`Finished`}),G(`dd`,{children:G(K,{at:e.finishedAt})})]}),G(`div`,{children:[G(`dt`,{children:`Duration`}),G(`dd`,{children:ut(e.durationSeconds)})]}),G(`div`,{children:[G(`dt`,{children:`Priority`}),G(`dd`,{children:e.priority})]}),G(`div`,{children:[G(`dt`,{children:`Started by`}),G(`dd`,{children:[e.initiatedBy,` `,G(`span`,{class:`muted`,children:[`(`,e.triggeredBy,`)`]})]})]}),e.tags.length>0&&G(`div`,{children:[G(`dt`,{children:`Tags`}),G(`dd`,{children:e.tags.map(e=>G(`span`,{class:`tag`,children:[e.key,`=`,e.value]},e.key))})]})]}),e.error&&G(`div`,{class:`error-box run-error`,children:[e.error.stepRef&&G(`b`,{children:[e.error.stepRef,`: `]}),e.error.message]}),G(`div`,{class:`links`,children:[G(Ts,{label:`Retry of`,run:e.retryOf}),G(Ts,{label:`Restart of`,run:e.restartOf}),G(Ts,{label:`Parent`,run:e.parentRun}),e.childRuns.map(e=>G(Ts,{label:`Child (${e.workflow.key})`,run:e},e.id)),G(Ds,{run:e}),G(`a`,{href:_s(e.workflow.key,e.project.key,`&start=${encodeURIComponent(e.id)}`),class:`button small`,children:`Start a run like this one`})]})]})}function Ds({run:e}){let t=e.id,[n,r]=I([]);return L(()=>{W(kt,{filter:`${$(`retry_of`,`eq`,t)} or ${$(`restart_of`,`eq`,t)}`,first:20}).then(e=>r(e.runs.edges.map(e=>e.node))).catch(()=>r([]))},[e]),G(b,{children:n.map(e=>G(Ts,{label:`Made from this run`,run:e},e.id))})}function Os(e){return e?.trim()?JSON.parse(e):null}function ks(e,t){let n=t=>({input:{id:e.id,reason:t}});switch(t){case`CANCEL`:return{label:`Cancel`,danger:!0,mutate:async e=>(await W(Ht,n(e))).cancelRun};case`TERMINATE`:return{label:`Terminate`,danger:!0,mutate:async e=>(await W(Ut,n(e))).terminateRun};case`PAUSE`:return{label:`Pause`,mutate:async e=>(await W(Wt,n(e))).pauseRun};case`RESUME`:return{label:`Resume`,mutate:async e=>(await W(Gt,n(e))).resumeRun};case`RETRY`:return{label:`Retry`,mutate:async e=>(await W(Kt,n(e))).retryRun};case`RESTART`:return{label:`Restart`,mutate:async e=>(await W(qt,n(e))).restartRun};case`UNBLOCK`:case`ABANDON`:return{label:t===`UNBLOCK`?`Unblock`:`Abandon`,danger:t===`ABANDON`,mutate:async n=>(await W(Pt,{input:{id:e.id,action:t===`UNBLOCK`?`RUN`:`ABANDON`,reason:n}})).unblockRuns};case`SIGNAL`:return{label:`Signal`,fields:[{name:`name`,label:`Signal name`},{name:`message`,label:`Message`},{name:`payload`,label:`Payload (JSON)`,json:!0}],mutate:async(t,n)=>(await W(Jt,{input:{id:e.id,name:n.name??``,message:n.message??``,payload:Os(n.payload)}})).signalRun};default:return{label:t,mutate:async()=>({errors:[{message:`The dashboard does not know the action ${t}`}]})}}}function As(e,t,n){let r=n=>({input:{runId:e.id,stepRef:t.ref,reason:n}});switch(n){case`APPROVE`:return{label:`Approve`,mutate:async e=>(await W(Yt,r(e))).approveStep};case`REJECT`:return{label:`Reject`,danger:!0,mutate:async e=>(await W(Xt,r(e))).rejectStep};case`SKIP`:return{label:`Skip`,mutate:async e=>(await W(Zt,r(e))).skipStep};case`RETRY`:return{label:`Retry step`,mutate:async e=>(await W(Qt,r(e))).retryStep};case`REPLAY_SUBTREE`:return{label:`Replay subtree`,mutate:async e=>(await W($t,r(e))).replaySubtree};case`FORCE_COMPLETE`:return{label:`Force complete`,fields:[{name:`result`,label:`Result (JSON)`,json:!0}],mutate:async(n,r)=>(await W(en,{input:{runId:e.id,stepRef:t.ref,reason:n,result:Os(r.result)}})).forceCompleteStep};default:return{label:n,mutate:async()=>({errors:[{message:`The dashboard does not know the action ${n}`}]})}}}function js({spec:e,subject:t,onDone:n}){let[r,i]=I(!1),[a,o]=I(``),[s,c]=I({}),[l,u]=I(null),[d,f]=I(!1),p=Ee(()=>i(!1),[]);return G(b,{children:[G(`button`,{type:`button`,class:e.danger?`danger action`:`action`,"data-action":e.label,onClick:()=>(i(!0),u(null)),children:e.label}),r&&G(bt,{title:`${e.label} ${t}`,onClose:p,children:G(`form`,{onSubmit:async t=>{t.preventDefault(),f(!0),u(null);try{let t=await e.mutate(a.trim()||null,s);t.errors.length?u(Error(t.errors.map(e=>e.message).join(`; `))):(i(!1),n())}catch(e){u(e)}finally{f(!1)}},children:[e.fields?.map(e=>G(`label`,{children:[e.label,e.json?G(`textarea`,{name:e.name,rows:4,onInput:t=>c({...s,[e.name]:t.currentTarget.value})}):G(`input`,{name:e.name,onInput:t=>c({...s,[e.name]:t.currentTarget.value})})]},e.name)),G(`label`,{children:[`Reason`,G(`input`,{name:`reason`,value:a,autoFocus:!0,onInput:e=>o(e.currentTarget.value)})]}),G(q,{error:l}),G(`div`,{class:`dialog-buttons`,children:[G(`button`,{type:`button`,class:`ghost`,onClick:p,children:`Back`}),G(`button`,{type:`submit`,class:e.danger?`danger`:`primary`,disabled:d,children:e.label})]})]})})]})}function Ms({run:e,onDone:t}){return e.availableActions.length?G(`div`,{class:`actions run-actions`,"aria-label":`Run actions`,children:e.availableActions.map(n=>G(js,{spec:ks(e,n),subject:`this run`,onDone:t},n))}):null}function Ns({steps:e,selected:t,onSelect:n}){let r=R(()=>po(e),[e]),[i,a]=I(!1),[o,s]=I(!1),c=r.nodes.length>500&&!i,l=R(()=>c?null:mo(r),[r,c]);return G(`div`,{class:`dag ${o?`fullscreen`:``}`,"aria-label":`Step graph`,children:[G(`div`,{class:`dag-tools`,children:G(`button`,{type:`button`,class:`small ghost`,onClick:()=>s(!o),children:o?`Exit full screen`:`Full screen`})}),c&&G(`p`,{children:[r.nodes.length,` steps.`,` `,G(`button`,{type:`button`,onClick:()=>a(!0),children:`Draw the graph`})]}),l&&G(`svg`,{width:l.width,height:l.height,viewBox:`0 0 ${l.width} ${l.height}`,role:`img`,children:[G(`defs`,{children:G(`marker`,{id:`arrow`,viewBox:`0 0 10 10`,refX:`9`,refY:`5`,markerWidth:`6`,markerHeight:`6`,orient:`auto-start-reverse`,children:G(`path`,{d:`M 0 0 L 10 5 L 0 10 z`,class:`arrow`})})}),l.edges.map(e=>G(`polyline`,{class:`edge`,"marker-end":`url(#arrow)`,points:e.points.map(e=>`${e.x},${e.y}`).join(` `)},`${e.from}-${e.to}`)),l.nodes.map(e=>G(`g`,{class:`node ${t===e.ref?`selected`:``}`,"data-ref":e.ref,"data-status":e.status??``,transform:`translate(${e.x-e.width/2},${e.y-e.height/2})`,tabIndex:0,role:`button`,"aria-label":`${e.label}: ${e.status}`,onClick:()=>n(e.ref),onKeyDown:t=>t.key===`Enter`&&n(e.ref),children:[G(`title`,{children:[e.label,` (`,e.ref,`): `,e.status,Object.entries(e.iterationStatuses).map(([e,t])=>`, ${t} ${e}`).join(``)]}),G(`rect`,{class:`box`,width:e.width,height:e.height,rx:`6`,style:{stroke:Ss[e.status??`PENDING`]}}),G(`rect`,{width:`6`,height:e.height,rx:`3`,style:{fill:Ss[e.status??`PENDING`]}}),G(`text`,{x:`14`,y:`18`,class:`node-label`,children:e.label.length>22?`${e.label.slice(0,21)}…`:e.label}),G(`text`,{x:`14`,y:`35`,class:`node-meta`,children:[e.type.replace(`_`,` `),` · `,e.status,e.iterations?` · ×${e.iterations}`:``]})]},e.ref))]})]})}function Ps({steps:e,selected:t,onSelect:n}){let r=H(st),i=e.filter(e=>e.startedAt);if(!i.length)return G(`div`,{class:`timeline empty`,children:`No step has started yet.`});let a=Date.now(),o=Math.min(...i.map(e=>new Date(e.startedAt).getTime())),s=Math.max(...i.map(e=>e.finishedAt?new Date(e.finishedAt).getTime():a),o+1)-o;return G(`div`,{class:`timeline`,"aria-label":`Timeline`,children:[G(`div`,{class:`timeline-axis muted`,children:[G(`span`,{children:lt(new Date(o).toISOString(),r)}),G(`span`,{children:ut(s/1e3)})]}),i.map(e=>{let r=new Date(e.startedAt).getTime(),i=e.finishedAt?new Date(e.finishedAt).getTime():a,c=e.iteration==null?e.ref:`${e.parentRef}[${e.iteration}]`;return G(`button`,{type:`button`,class:`bar-row ${t!=null&&(t===e.ref||t===e.parentRef)?`selected`:``}`,"data-ref":e.ref,onClick:()=>n(e.parentRef??e.ref),title:`${c} attempt ${e.attempt}: ${e.status}, ${ut((i-r)/1e3)}`,children:[G(`span`,{class:`bar-label`,children:[c,` `,G(`span`,{class:`muted`,children:[`#`,e.attempt]})]}),G(`span`,{class:`bar-track`,children:G(`span`,{class:`bar`,style:{left:`${(r-o)/s*100}%`,width:`${Math.max((i-r)/s*100,.5)}%`,background:Ss[e.status]}})})]},e.id)})]})}function Fs({run:e,selected:t,onSelect:n,onDone:r}){return G(`div`,{class:`table-wrap`,children:G(`table`,{class:`steps`,children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{children:`Step`}),G(`th`,{children:`Type`}),G(`th`,{children:`Status`}),G(`th`,{children:`Attempt`}),G(`th`,{children:`Started`}),G(`th`,{children:`Finished`}),G(`th`,{children:`Waiting for`}),G(`th`,{children:`Output / error`}),G(`th`,{children:`Actions`})]})}),G(`tbody`,{children:e.steps.map(i=>G(`tr`,{"data-ref":i.ref,class:t===i.ref?`selected`:``,onClick:()=>n(i.parentRef??i.ref),children:[G(`td`,{children:[i.iteration==null?null:G(`span`,{class:`muted`,children:[i.parentRef,`[`,i.iteration,`] `]}),G(`b`,{children:i.name??i.ref}),` `,G(`span`,{class:`muted`,children:i.ref})]}),G(`td`,{children:i.type}),G(`td`,{children:G(_t,{status:i.status})}),G(`td`,{children:i.attempt}),G(`td`,{children:G(K,{at:i.startedAt})}),G(`td`,{children:G(K,{at:i.finishedAt})}),G(`td`,{class:`waiting-for`,children:i.waitingFor??``}),G(`td`,{class:`output`,children:[e.childRuns.filter(e=>e.parentStep?.ref===i.ref).map(e=>G(`a`,{href:`/runs/${encodeURIComponent(e.id)}`,class:`child-run`,children:[`child run `,G(_t,{status:e.status}),` `]},e.id)),i.error?G(`span`,{class:`err`,children:i.error}):i.output==null?``:G(`code`,{children:JSON.stringify(i.output).slice(0,120)})]}),G(`td`,{class:`actions`,onClick:e=>e.stopPropagation(),children:i.availableActions.map(t=>G(js,{spec:As(e,i,t),subject:`step ${i.ref}`,onDone:r},t))})]},i.id))})]})})}var Is=30;function Ls({run:e,selectedSeq:t,onSelectSeq:n,onEvent:r}){let[i,a]=I([]),[o,s]=I(1),[c,l]=I(!1),[u,d]=I(null),[f,p]=I(``),[m,h]=I(``),[g,_]=I(!1),[v,y]=I(!0),b=Te(0),x=e.events.totalCount,S=e.id;L(()=>{let e=!0;b.current=0,l(!1);let t=Math.max(0,x-100);return W(zt,{id:S,after:t,first:100}).then(n=>{if(!e||!n.run)return;let r=n.run.events.edges.map(e=>e.node);b.current=r.length?r[r.length-1].seq:t,s(r.length?r[0].seq:t+1),a(r),l(!0)}).catch(t=>e&&d(t)),()=>{e=!1}},[S]),L(()=>{if(!c)return;let e=pt(e=>{let t=[];for(let n of e)n.seq>b.current&&(t.push(n),b.current=n.seq);t.length&&(a(e=>[...e,...t]),r())}),t=it(Bt,{runId:S,after:b.current},t=>e.push(t.runEvents),d);return()=>{t(),e.cancel()}},[c,S,r]);let C=async()=>{let e=Math.max(0,o-1-100),t=(await W(zt,{id:S,after:e,first:o-1-e})).run?.events.edges.map(e=>e.node)??[];a(e=>[...t,...e]),s(t.length?t[0].seq:1)},w=R(()=>{let e=i.filter(e=>(!f||e.type===f)&&(!m||e.stepRef===m)&&(!g||!e.ok));return v?e.reverse():e},[i,f,m,g,v]),T=R(()=>[...new Set(i.map(e=>e.type))].sort(),[i]),E=R(()=>[...new Set(i.map(e=>e.stepRef).filter(Boolean))].sort(),[i]),ee=i.length?new Date(i[0].at).getTime():0,D=Te(null),[O,k]=I(0),te=Math.max(0,Math.floor(O/Is)-10),A=Math.min(w.length,Math.ceil((O+420)/Is)+10);return L(()=>{if(t==null||!D.current)return;let e=w.findIndex(e=>e.seq===t);e>=0&&(D.current.scrollTop=Math.max(0,e*Is-210))},[t,c]),G(`section`,{class:`history`,"aria-label":`History`,children:[G(`div`,{class:`history-tools`,children:[G(`select`,{"aria-label":`Event type`,value:f,onChange:e=>p(e.currentTarget.value),children:[G(`option`,{value:``,children:`every type`}),T.map(e=>G(`option`,{children:e},e))]}),G(`select`,{"aria-label":`Step`,value:m,onChange:e=>h(e.currentTarget.value),children:[G(`option`,{value:``,children:`every step`}),E.map(e=>G(`option`,{children:e},e))]}),G(`label`,{children:[G(`input`,{type:`checkbox`,checked:g,onChange:e=>_(e.currentTarget.checked)}),` failed only`]}),G(`button`,{type:`button`,class:`small`,onClick:()=>y(!v),children:v?`Newest first`:`Oldest first`}),G(`button`,{type:`button`,class:`small`,onClick:()=>ot(new Blob([JSON.stringify({run:e,events:i},null,2)],{type:`application/json`}),`run-${e.id}.json`),children:`Download JSON`}),G(`span`,{class:`muted event-count`,children:[i.length,` of `,Math.max(x,b.current),` events`]}),o>1&&G(`button`,{type:`button`,class:`small`,onClick:C,children:`Load older`})]}),G(q,{error:u}),G(`div`,{class:`events`,ref:D,style:{height:`${Math.min(420,w.length*Is+2)}px`},onScroll:e=>k(e.currentTarget.scrollTop),children:G(`div`,{style:{height:`${w.length*Is}px`,position:`relative`},children:w.slice(te,A).map((e,r)=>G(`div`,{class:`event ${e.ok?``:`failed`} ${t===e.seq?`selected`:``}`,"data-seq":e.seq,style:{top:`${(te+r)*Is}px`},onClick:()=>n(e.seq),children:[G(`span`,{class:`seq`,children:[`#`,e.seq]}),G(`span`,{class:`elapsed muted`,children:[`+`,ut((new Date(e.at).getTime()-ee)/1e3)]}),G(`span`,{class:`etype`,children:e.type}),G(`span`,{class:`eref`,children:e.stepRef??``}),G(`span`,{class:`edetail muted`,children:[e.actor,e.reason,e.data?JSON.stringify(e.data):``].filter(Boolean).join(` · `)})]},e.seq))})})]})}function Rs({runId:e}){let[t,n]=I([]);return L(()=>{n([]);let t=pt(e=>n(t=>{let n=new Set(t.map(e=>e.seq));return[...t,...e.filter(e=>!n.has(e.seq))]})),r=it(Vt,{runId:e},e=>t.push(e.runUpdates));return()=>{r(),t.cancel()}},[e]),t.length?G(`ol`,{class:`updates`,children:t.map(e=>G(`li`,{"data-seq":e.seq,children:[G(K,{at:e.at}),` `,G(`b`,{children:e.type}),` `,e.message]},e.seq))}):G(`p`,{class:`muted`,children:`No progress updates.`})}var zs=`# Schedules (JOBS.md), written against the contract's SDL (../shared/contract/schema.graphql);
# sent only to a server whose introspection shows \`schedules\`. tests/test_ui_contract_operations.py
# validates this file against the contract.
fragment ScheduleFields on Schedule {
  id
  key
  cron
  timezone
  state
  note
  nextFireTimes(count: 3)
  lastFiredAt
  project {
    key
  }
  workflow {
    key
    name
  }
  recentFires(first: 10) {
    nominalTime
    actualTime
    outcome
    error
    run {
      id
      status
    }
  }
}

query Schedules {
  schedules(first: 100) {
    edges {
      node {
        ...ScheduleFields
      }
    }
  }
}

query Schedule($key: String!, $project: String) {
  schedule(key: $key, project: $project) {
    ...ScheduleFields
  }
}

mutation PauseSchedule($input: ScheduleActionInput!) {
  pauseSchedule(input: $input) {
    errors {
      code
      message
    }
  }
}

mutation ResumeSchedule($input: ScheduleActionInput!) {
  resumeSchedule(input: $input) {
    errors {
      code
      message
    }
  }
}

mutation TriggerSchedule($input: TriggerScheduleInput!) {
  triggerSchedule(input: $input) {
    errors {
      code
      message
    }
  }
}

mutation BackfillSchedule($input: BackfillScheduleInput!) {
  backfillSchedule(input: $input) {
    batchId
    runs {
      id
    }
    errors {
      code
      message
    }
  }
}
`,Bs=X(zs,`Schedules`),Vs=X(zs,`Schedule`),Hs=X(zs,`PauseSchedule`),Us=X(zs,`ResumeSchedule`),Ws=X(zs,`TriggerSchedule`),Gs=X(zs,`BackfillSchedule`),Ks=[`BUFFER_ALL`,`BUFFER_ONE`,`SKIP`,`ALLOW_ALL`,`CANCEL_OTHER`,`TERMINATE_OTHER`];function qs({schedule:e,onDone:t}){let[n,r]=I(``),[i,a]=I(``),[o,s]=I(`BUFFER_ALL`),[c,l]=I(null),[u,d]=I(null);return G(`form`,{class:`backfill row`,onSubmit:async r=>{if(r.preventDefault(),d(null),l(null),!n||!i)return d(Error(`Give both ends of the range.`));try{let r=(await W(Gs,{input:{id:e.id,from:new Date(n).toISOString(),to:new Date(i).toISOString(),overlap:o}})).backfillSchedule;r.errors.length?d(Error(r.errors.map(e=>e.message).join(`; `))):(l(`${r.runs.length} runs started (batch ${r.batchId??`—`})`),t())}catch(e){d(e)}},children:[G(`label`,{children:[`From`,G(`input`,{type:`datetime-local`,name:`from`,value:n,onInput:e=>r(e.currentTarget.value)})]}),G(`label`,{children:[`To`,G(`input`,{type:`datetime-local`,name:`to`,value:i,onInput:e=>a(e.currentTarget.value)})]}),G(`label`,{children:[`Overlap`,G(`select`,{name:`overlap`,value:o,onChange:e=>s(e.currentTarget.value),children:Ks.map(e=>G(`option`,{children:e},e))})]}),G(`button`,{type:`submit`,children:`Backfill`}),c&&G(`span`,{role:`status`,children:c}),G(q,{error:u})]})}function Js({schedule:e,onDone:t}){let n=H(cn),[r,i]=I({...Oo,size:25});return G(b,{children:[G(`section`,{children:[G(`h2`,{children:`Recent fires`}),G(`ul`,{class:`fires`,children:e.recentFires.map(e=>G(`li`,{children:[G(K,{at:e.nominalTime}),` `,e.outcome,` `,e.run&&G(`a`,{href:`/runs/${encodeURIComponent(e.run.id)}`,children:[`run `,G(_t,{status:e.run.status})]}),` `,e.error&&G(`span`,{class:`err`,children:e.error})]},e.nominalTime))})]}),un(`ADMIN`)&&G(`section`,{children:[G(`h2`,{children:`Backfill`}),G(qs,{schedule:e,onDone:t})]}),G(`section`,{children:[G(`h2`,{children:`Runs`}),G(os,{state:r,setState:i,me:n?.name??``,fixedFilter:$(`schedule_id`,`eq`,e.id)})]})]})}var Ys={"@hourly":`every hour`,"@daily":`every day at midnight`,"@weekly":`every Sunday at midnight`,"@monthly":`on the 1st of every month`};function Xs(e){if(Ys[e])return Ys[e];let[t,n,r,i,a]=e.split(/\s+/);if([r,i,a].every(e=>e===`*`)){if(t===`*`&&n===`*`)return`every minute`;if(t.startsWith(`*/`)&&n===`*`)return`every ${t.slice(2)} minutes`;if(/^\d+$/.test(t)&&n===`*`)return`every hour at minute ${t}`;if(/^\d+$/.test(t)&&/^\d+$/.test(n))return`every day at ${n.padStart(2,`0`)}:${t.padStart(2,`0`)}`}return e}function Zs({scheduleKey:e}){let t=So().query.get(`project`),[n,r]=I(null),[i,a]=I(null),[o,s]=I(null),[c,l]=I(0);L(()=>{sn().then(e=>r(e.has(`schedules`))).catch(s)},[]),L(()=>{n&&(e?W(Vs,{key:e,project:t}).then(e=>e.schedule?[e.schedule]:[]):W(Bs).then(e=>e.schedules.edges.map(e=>e.node))).then(a).catch(s)},[n,e,t,c]);let u=async(e,t,n)=>{s(null);try{let r=(await W(e,{input:{id:n}}))[t]?.errors??[];r.length&&s(Error(r.map(e=>e.message).join(`; `))),l(e=>e+1)}catch(e){s(e)}};return G(`main`,{class:`page`,children:[G(`h1`,{children:`Schedules`}),G(q,{error:o}),n===!1&&G(St,{what:`schedules`}),i&&G(`div`,{class:`table-wrap`,children:[G(`table`,{children:[G(`thead`,{children:G(`tr`,{children:[G(`th`,{children:`Schedule`}),G(`th`,{children:`Workflow`}),G(`th`,{children:`State`}),G(`th`,{children:`When`}),G(`th`,{children:`Next`}),G(`th`,{children:`Last outcome`}),G(`th`,{})]})}),G(`tbody`,{children:i.map(e=>G(`tr`,{"data-key":e.key,"data-state":e.state,children:[G(`td`,{children:[G(`a`,{href:`/schedules/${encodeURIComponent(e.key)}?project=${encodeURIComponent(e.project.key)}`,children:e.key}),e.note&&G(`div`,{class:`muted`,children:e.note})]}),G(`td`,{children:G(`a`,{href:_s(e.workflow.key,e.project.key),children:e.workflow.name})}),G(`td`,{children:e.state}),G(`td`,{title:e.cron,children:[Xs(e.cron),` `,G(`span`,{class:`muted`,children:[`(`,e.timezone,`)`]})]}),G(`td`,{children:e.nextFireTimes.map(e=>G(`div`,{children:G(K,{at:e})},e))}),G(`td`,{children:[e.recentFires[0]?.outcome??`—`,e.recentFires[0]?.run&&G(_t,{status:e.recentFires[0].run.status})]}),G(`td`,{children:un(`OPERATOR`)&&G(b,{children:[e.state===`PAUSED`?G(`button`,{type:`button`,class:`small`,onClick:()=>u(Us,`resumeSchedule`,e.id),children:`Resume`}):G(`button`,{type:`button`,class:`small`,onClick:()=>u(Hs,`pauseSchedule`,e.id),children:`Pause`}),G(`button`,{type:`button`,class:`small`,onClick:()=>u(Ws,`triggerSchedule`,e.id),children:`Trigger now`})]})})]},e.id))})]}),i.length===0&&G(`p`,{class:`empty`,children:`No schedules.`})]}),e&&i?.[0]&&G(Js,{schedule:i[0],onDone:()=>l(e=>e+1)})]})}function Qs(){let e=H(Xe),[t,n]=I(``);return G(`main`,{class:`signin`,children:G(`form`,{class:`card`,onSubmit:e=>{e.preventDefault(),t.trim()&&Je(t.trim())},children:[G(`h1`,{children:`flowdeck`}),G(`p`,{class:`muted`,children:`Sign in with an API key. It is kept in this tab only.`}),e&&G(`div`,{class:`error-box`,role:`alert`,children:e}),G(`label`,{children:[`API key`,G(`input`,{name:`key`,type:`password`,autoComplete:`off`,autoFocus:!0,value:t,onInput:e=>n(e.currentTarget.value)})]}),G(`button`,{type:`submit`,class:`primary`,children:`Sign in`})]})})}function $s(){let{path:e}=So(),t;return(t=/^\/runs\/([^/]+)$/.exec(e))?G(ws,{id:decodeURIComponent(t[1])}):e===`/workflows`?G(vs,{}):(t=/^\/workflows\/([^/]+)$/.exec(e))?G(bs,{workflowKey:decodeURIComponent(t[1])}):e===`/schedules`?G(Zs,{}):(t=/^\/schedules\/([^/]+)$/.exec(e))?G(Zs,{scheduleKey:decodeURIComponent(t[1])}):e===`/jobs`?G(Dn,{}):e===`/`?G(as,{}):G(`p`,{class:`page`,children:[`No page here. `,G(`a`,{href:`/`,children:`Runs`})]})}function ec(){let e=H(cn),t=H(st),{path:n}=So(),r=(e,t,n)=>G(`a`,{href:e,class:n?`active`:``,"aria-current":n?`page`:void 0,children:t});return G(`header`,{class:`topbar`,children:[G(`a`,{href:`/`,class:`brand`,children:`flowdeck`}),G(`nav`,{children:[r(`/`,`Runs`,n===`/`||n.startsWith(`/runs/`)),r(`/workflows`,`Workflows`,n.startsWith(`/workflows`)),r(`/schedules`,`Schedules`,n.startsWith(`/schedules`)),r(`/jobs`,`Jobs`,n===`/jobs`)]}),G(`span`,{class:`spacer`}),G(`button`,{type:`button`,class:`small ghost`,onClick:()=>st.set(!t),title:`Times in UTC or local time`,children:t?`UTC`:`Local`}),e&&G(`span`,{class:`who`,title:e.project?`project ${e.project.key}`:`every project`,children:[e.name,` · `,e.role]}),G(`button`,{type:`button`,class:`small`,onClick:()=>Ye(),children:`Sign out`})]})}function tc(){let e=H(U),t=H(cn);return L(()=>{fn()},[e]),e?t?G(`div`,{onClick:Co,children:[G(ec,{}),G($s,{})]}):G(`p`,{class:`loading page`,children:`Signing in…`}):G(Qs,{})}dn(),mn(),N(G(tc,{}),document.getElementById(`app`));