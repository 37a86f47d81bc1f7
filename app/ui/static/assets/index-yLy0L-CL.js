(function(){let e=document.createElement(`link`).relList;if(e&&e.supports&&e.supports(`modulepreload`))return;for(let e of document.querySelectorAll(`link[rel="modulepreload"]`))n(e);new MutationObserver(e=>{for(let t of e)if(t.type===`childList`)for(let e of t.addedNodes)e.tagName===`LINK`&&e.rel===`modulepreload`&&n(e)}).observe(document,{childList:!0,subtree:!0});function t(e){let t={};return e.integrity&&(t.integrity=e.integrity),e.referrerPolicy&&(t.referrerPolicy=e.referrerPolicy),t.credentials=e.crossOrigin===`use-credentials`?`include`:e.crossOrigin===`anonymous`?`omit`:`same-origin`,t}function n(e){if(e.ep)return;e.ep=!0;let n=t(e);fetch(e.href,n)}})();var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),ie(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,j(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=D(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=ie(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&M(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=O(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function D(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=te(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),ce(s,s));return r}function O(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=O(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function k(e,t){return t||=[],e!=null&&typeof e!=`boolean`&&(m(e)?e.some(function(e){k(e,t)}):t.push(e)),t}function te(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function ne(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function re(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||ne(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||ne(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=A(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function A(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function ie(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,D,O,k,te,ne,re,A,ie,j,M,N=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=ae(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);e:if(typeof N==`function`){v=s.length;try{if(E=n.props,D=(p=N.prototype)&&p.render,O=(p=N.contextType)&&i[p.__c],k=p?O?O.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(D?n.__c=y=new N(E,k):(n.__c=y=new x(E,k),y.constructor=N,y.render=le),O&&O.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),D&&(y.__s||(y.__s=y.state),N.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,N.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&D&&!N.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,k),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,k)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break e}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,k),D&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else D&&!N.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),D&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=k,y.props=E,y.__P=t,y.__g&=-5,te=e.__r,ne=D?25:0;do y.__g&=-9,te&&te(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++ne<25);D&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),D&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),re=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&ce(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=ee(t,m(re)?re:[re],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(j=o.indexOf(c||void 0))||(j=o.length);(M=o[j-1])&&M.nodeType==8;)j--;for(;j<o.length;j++)if(M=o[j]){if(o[j]=null,A){if(M==ie)break}else{if(M.nodeType!=8)break;M.data.startsWith(`$s`)&&(ie=ae(A=M))}}}if(!A){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;A=c}(p=ae(A=n.__c.__z||(n.__c.__z=A)))?(n.__e=A,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||oe(n),e.__e(t,n,r)}}else c=n.__e=se(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function ae(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function oe(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(oe))}function j(t,n,r){for(var i=0;i<r.length;)M(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function se(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,D=n.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(D?b.localName==D:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!D)return w.createTextNode(E);t=w.createElementNS(a,D,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(D){if(u=D==`template`&&t.content||t,o=D==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||re(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||re(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&D!=`textarea`||(f=`value`,D==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(D!=`progress`||x)||re(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&re(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function M(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function ce(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||M(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&ce(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=ae(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function le(e,t,n){return this.constructor(e,n)}function N(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],ie(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),j(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var ue,P,de,fe,pe=Object.is,me=0,he=[],ge=[],F=e,_e=F.__b,ve=F.__r,ye=F.diffed,be=F.__c,xe=F.unmount,Se=F.__;function Ce(e,t){F.__h&&F.__h(P,e,me||t),me=0;var n=P.__H||(P.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function I(e){return me=1,we(Ne,e)}function we(e,t,n){var r=Ce(ue++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ne(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);pe(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=P,!P.__f)){P.__f=!0;var i=P.shouldComponentUpdate;P.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,pe(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function L(e,t){var n=Ce(ue++,3);!F.__s&&Me(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,P.__H.__h.push(n))}function Te(e,t){var n=Ce(ue++,4);!F.__s&&Me(n.__H,t)&&(n.__P=!1,n.__=e,n.u=t,P.__h.push(n))}function R(e){return me=5,z(function(){return{current:e}},[])}function z(e,t){var n=Ce(ue++,7);return Me(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function B(e,t){return me=8,z(function(){return e},t)}function Ee(){var e;do{for(;e=ge.shift();)try{Ae(e)}catch(t){F.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=he.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ae),t.__h.some(je),t.__h=[]}catch(n){t.__h=[],F.__e(n,e.__v)}}}while(ge.length)}F.__b=function(e){P=null,_e&&_e(e)},F.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Se&&Se(e,t)},F.__r=function(e){ve&&ve(e),ue=0;var t=(P=e.__c).__H;t&&(de==P?P.__h=[]:(t.__h.some(Ae),t.__h.some(je),ue=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),de=P},F.diffed=function(e){ye&&ye(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&ke(he.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),de=P=null},F.__c=function(e,t){t.some(function(e){try{e.__h.some(Ae),e.__h=e.__h.filter(function(e){return!e.__||je(e)})}catch(t){e.__h=[function(){throw t}]}}),be&&be(e,t)},F.unmount=function(e){xe&&xe(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,ke(ge.push(r))}else Ae(r)}catch(e){t=e}}),r.__H=void 0,t&&F.__e(t,r.__v))};var De=typeof requestAnimationFrame==`function`;function Oe(e){var t,n=function(){clearTimeout(r),De&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);De&&(t=requestAnimationFrame(n))}function ke(e){e!=1&&fe==F.requestAnimationFrame||((fe=F.requestAnimationFrame)||Oe)(Ee)}function Ae(e){var t=P,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),P=t}function je(e){var t=P;e.__c=e.__(),P=t}function Me(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!pe(t,e[n])})}function Ne(e,t){return typeof t==`function`?t(e):t}function V(e){return e===null?`null`:Array.isArray(e)?`array`:typeof e}function Pe(e){return V(e)===`object`}function Fe(e){return Array.isArray(e)&&e.length>0&&e.every(e=>`message`in e)}function Ie(e,t){return e.length<124?e:t}var H=(e=>(e[e.InternalServerError=4500]=`InternalServerError`,e[e.InternalClientError=4005]=`InternalClientError`,e[e.BadRequest=4400]=`BadRequest`,e[e.BadResponse=4004]=`BadResponse`,e[e.Unauthorized=4401]=`Unauthorized`,e[e.Forbidden=4403]=`Forbidden`,e[e.SubprotocolNotAcceptable=4406]=`SubprotocolNotAcceptable`,e[e.ConnectionInitialisationTimeout=4408]=`ConnectionInitialisationTimeout`,e[e.ConnectionAcknowledgementTimeout=4504]=`ConnectionAcknowledgementTimeout`,e[e.SubscriberAlreadyExists=4409]=`SubscriberAlreadyExists`,e[e.TooManyInitialisationRequests=4429]=`TooManyInitialisationRequests`,e))(H||{}),U=(e=>(e.ConnectionInit=`connection_init`,e.ConnectionAck=`connection_ack`,e.Ping=`ping`,e.Pong=`pong`,e.Subscribe=`subscribe`,e.Next=`next`,e.Error=`error`,e.Complete=`complete`,e))(U||{});function Le(e){if(!Pe(e))throw Error(`Message is expected to be an object, but got ${V(e)}`);if(!e.type)throw Error(`Message is missing the 'type' property`);if(typeof e.type!=`string`)throw Error(`Message is expects the 'type' property to be a string, but got ${V(e.type)}`);switch(e.type){case`connection_init`:case`connection_ack`:case`ping`:case`pong`:if(e.payload!=null&&!Pe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break;case`subscribe`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${V(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Pe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${V(e.payload)}`);if(typeof e.payload.query!=`string`)throw Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${V(e.payload.query)}`);if(e.payload.variables!=null&&!Pe(e.payload.variables))throw Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${V(e.payload.variables)}`);if(e.payload.operationName!=null&&V(e.payload.operationName)!==`string`)throw Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${V(e.payload.operationName)}`);if(e.payload.extensions!=null&&!Pe(e.payload.extensions))throw Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${V(e.payload.extensions)}`);break;case`next`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${V(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Pe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${V(e.payload)}`);break;case`error`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${V(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);if(!Fe(e.payload))throw Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break;case`complete`:if(typeof e.id!=`string`)throw Error(`"${e.type}" message expects the 'id' property to be a string, but got ${V(e.id)}`);if(!e.id)throw Error(`"${e.type}" message requires a non-empty 'id' property`);break;default:throw Error(`Invalid message 'type' property "${e.type}"`)}return e}function Re(e,t){return Le(typeof e==`string`?JSON.parse(e,t):e)}function ze(e,t){return Le(e),JSON.stringify(e,t)}function Be(e){let{url:t,connectionParams:n,lazy:r=!0,onNonLazyError:i=console.error,lazyCloseTimeout:a=0,keepAlive:o=0,disablePong:s,connectionAckWaitTimeout:c=0,retryAttempts:l=5,retryWait:u=async function(e){let t=2**e;await new Promise(e=>setTimeout(e,t*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:d=He,on:f,webSocketImpl:p,generateID:m=function(){return`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.replace(/[xy]/g,e=>{let t=Math.random()*16|0;return(e==`x`?t:t&3|8).toString(16)})},jsonMessageReplacer:h,jsonMessageReviver:g}=e,_;if(p){if(!We(p))throw Error(`Invalid WebSocket implementation provided`);_=p}else typeof WebSocket<`u`?_=WebSocket:typeof global<`u`?_=global.WebSocket||global.MozWebSocket:typeof window<`u`&&(_=window.WebSocket||window.MozWebSocket);if(!_)throw Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let v=_,y=(()=>{let e=(()=>{let e={};return{on(t,n){return e[t]=n,()=>{delete e[t]}},emit(t){`id`in t&&e[t.id]?.(t)}}})(),t={connecting:f?.connecting?[f.connecting]:[],opened:f?.opened?[f.opened]:[],connected:f?.connected?[f.connected]:[],ping:f?.ping?[f.ping]:[],pong:f?.pong?[f.pong]:[],message:f?.message?[e.emit,f.message]:[e.emit],closed:f?.closed?[f.closed]:[],error:f?.error?[f.error]:[]};return{onMessage:e.on,on(e,n){let r=t[e];return r.push(n),()=>{let e=r.indexOf(n);e>-1&&r.splice(e,1)}},emit(e,...n){for(let r of[...t[e]])r(...n)}}})();function b(e){let t=[y.on(`error`,n=>{t.forEach(e=>e()),e(n)}),y.on(`closed`,n=>{t.forEach(e=>e()),e(n)})];return()=>t.forEach(e=>e())}let x,S=0,C,w=!1,T=0,E=!1;async function ee(){clearTimeout(C);let[e,r]=await(x??=new Promise((e,r)=>(async()=>{if(w){if(await u(T),!S)return x=void 0,r({code:1e3,reason:`All Subscriptions Gone`});T++}y.emit(`connecting`,w);let i=new v(typeof t==`function`?await t():t,`graphql-transport-ws`),a,l;function d(){isFinite(o)&&o>0&&(clearTimeout(l),l=setTimeout(()=>{i.readyState===v.OPEN&&(i.send(ze({type:U.Ping})),y.emit(`ping`,!1,void 0))},o))}b(e=>{x=void 0,clearTimeout(a),clearTimeout(l),r(e),e instanceof Ve&&(i.close(4499,`Terminated`),i.onerror=null,i.onclose=null)}),i.onerror=e=>y.emit(`error`,e),i.onclose=e=>y.emit(`closed`,e),i.onopen=async()=>{try{y.emit(`opened`,i);let e=typeof n==`function`?await n():n;if(i.readyState!==v.OPEN)return;i.send(ze(e?{type:U.ConnectionInit,payload:e}:{type:U.ConnectionInit},h)),isFinite(c)&&c>0&&(a=setTimeout(()=>{i.close(H.ConnectionAcknowledgementTimeout,`Connection acknowledgement timeout`)},c)),d()}catch(e){y.emit(`error`,e),i.close(H.InternalClientError,Ie(e instanceof Error?e.message:String(e),`Internal client error`))}};let f=!1;i.onmessage=({data:t})=>{try{let n=Re(t,g);if(y.emit(`message`,n),n.type===`ping`||n.type===`pong`){y.emit(n.type,!0,n.payload),n.type===`pong`?d():s||(i.send(ze(n.payload?{type:U.Pong,payload:n.payload}:{type:U.Pong},h)),y.emit(`pong`,!1,n.payload));return}if(f)return;if(n.type!==U.ConnectionAck)throw Error(`First message cannot be of type ${n.type}`);clearTimeout(a),f=!0,y.emit(`connected`,i,n.payload,w),w=!1,T=0;let r=new Promise((e,t)=>b(t));r.catch(()=>{}),e([i,r])}catch(e){i.onmessage=null,y.emit(`error`,e),i.close(H.BadResponse,Ie(e instanceof Error?e.message:String(e),`Bad response`))}}})()));e.readyState===v.CLOSING&&await r;let i=()=>{},l=new Promise(e=>i=e);return[e,i,new Promise((t,n)=>{let i=b(n);e.readyState!==v.OPEN&&r.catch(n),l.then(()=>{if(i(),!S){let t=()=>e.close(1e3,`Normal Closure`);isFinite(a)&&a>0?(clearTimeout(C),C=setTimeout(()=>{!S&&e.readyState===v.OPEN&&t()},a)):t()}t()})})]}function D(e){if(He(e)&&(Ue(e.code)||[H.InternalServerError,H.InternalClientError,H.BadRequest,H.BadResponse,H.Unauthorized,H.SubprotocolNotAcceptable,H.SubscriberAlreadyExists,H.TooManyInitialisationRequests].includes(e.code)))throw e;if(E)return!1;if(He(e)&&e.code===1e3)return S>0;if(!l||T>=l||!d(e))throw e;return w=!0}r||(async()=>{for(S++;;)try{let[,,e]=await ee();await e}catch(e){try{if(!D(e))return}catch(e){return i?.(e)}}})();function O(e,t){let n=m(e),r=!1,i=!1,a=()=>{S--,r=!0};return(async()=>{for(S++;;)try{let[o,s,c]=await ee();if(r)return c.catch(()=>{}),s();let l=y.onMessage(n,e=>{switch(e.type){case U.Next:t.next(e.payload);return;case U.Error:i=!0,r=!0,t.error(e.payload),a();return;case U.Complete:r=!0,a();return}});o.send(ze({id:n,type:U.Subscribe,payload:e},h)),a=()=>{!r&&o.readyState===v.OPEN&&o.send(ze({id:n,type:U.Complete},h)),S--,r=!0,s()},await c.finally(l);return}catch(e){if(!D(e))return}})().then(()=>{i||t.complete()}).catch(e=>{t.error(e)}),()=>{r||a()}}return{on:y.on,subscribe:O,iterate(e){let t=[],n={done:!1,error:null,resolve:()=>{}},r=O(e,{next(e){t.push(e),n.resolve()},error(e){n.done=!0,n.error=e,n.resolve()},complete(){n.done=!0,n.resolve()}}),i=async function*(){for(;;){for(t.length||await new Promise(e=>n.resolve=e);t.length;)yield t.shift();if(n.error)throw n.error;if(n.done)return}}();return i.throw=async e=>(n.done||(n.done=!0,n.error=e,n.resolve()),{done:!0,value:void 0}),i.return=async()=>(r(),{done:!0,value:void 0}),i},async dispose(){if(E=!0,x){let[e]=await x;e.close(1e3,`Normal Closure`)}},terminate(){x&&y.emit(`closed`,new Ve)}}}var Ve=class extends Error{name=`TerminatedCloseEvent`;message=`4499: Terminated`;code=4499;reason=`Terminated`;wasClean=!1};function He(e){return Pe(e)&&`code`in e&&`reason`in e}function Ue(e){return![1e3,1001,1006,1005,1012,1013,1014].includes(e)&&e>=1e3&&e<=1999}function We(e){return typeof e==`function`&&`constructor`in e&&`CLOSED`in e&&`CLOSING`in e&&`CONNECTING`in e&&`OPEN`in e}function Ge(e){let t=e,n=new Set;return{get:()=>t,set(e){if(!Object.is(e,t)){t=e;for(let e of[...n])e(t)}},subscribe(e){return n.add(e),()=>n.delete(e)}}}function W(e){let[t,n]=I(e.get());return L(()=>(n(e.get()),e.subscribe(n)),[e]),t}var Ke=`flowdeck.key`,G=Ge(sessionStorage.getItem(Ke));function qe(e){sessionStorage.setItem(Ke,e),G.set(e)}function Je(e=null){sessionStorage.removeItem(Ke),Ye.set(e),G.set(null),nt()}var Ye=Ge(null),Xe=class extends Error{code;position;constructor(e,t=null,n=null){super(e),this.code=t,this.position=n}};function Ze(e){let t=e[0];return new Xe(t.message,t.extensions?.code??null,t.extensions?.position??null)}function Qe(e){return`operationName`in e&&typeof e.operationName==`string`?e.operationName:void 0}async function K(e,t){let n=G.get(),r;try{r=await fetch(`/graphql`,{method:`POST`,headers:{"content-type":`application/json`,...n?{authorization:`Bearer ${n}`}:{}},body:JSON.stringify({query:e.toString(),operationName:Qe(e),variables:t??{}})})}catch(e){throw new Xe(`The server did not answer: ${e.message}`)}let i;try{i=await r.json()}catch{throw new Xe(`The server answered ${r.status} ${r.statusText}`)}if(i.errors?.length){let e=Ze(i.errors);throw e.code===`UNAUTHENTICATED`&&Je(e.message),e}if(!i.data)throw new Xe(`The server answered ${r.status} with no data`);return i.data}var $e=Ge(`closed`),et=null;function tt(){return et||(et=Be({url:`${location.protocol===`https:`?`wss`:`ws`}://${location.host}/graphql`,lazy:!0,retryAttempts:1/0,shouldRetry:()=>!0,retryWait:async e=>{await new Promise(t=>setTimeout(t,Math.min(500*2**e,5e3)))},connectionParams:()=>({Authorization:`Bearer ${G.get()??``}`}),on:{connecting:()=>$e.set(`connecting`),connected:()=>$e.set(`connected`),closed:e=>{$e.set(`closed`),e?.code===4403&&Je(e.reason||`The key was refused.`)}}}),et)}function nt(){et?.dispose(),et=null,$e.set(`closed`)}function rt(e,t,n,r=()=>void 0){return tt().subscribe({query:e.toString(),operationName:Qe(e),variables:t},{next:e=>{e.errors?.length?r(Ze(e.errors)):e.data&&n(e.data)},error:e=>{Array.isArray(e)?r(Ze(e)):e instanceof Error&&r(new Xe(e.message))},complete:()=>void 0})}async function it(e){let t=G.get(),n=await fetch(e,{headers:t?{authorization:`Bearer ${t}`}:{}});if(!n.ok)throw new Xe(`Download failed: ${n.status} ${await n.text()}`);return n.blob()}function at(e,t){let n=document.createElement(`a`);n.href=URL.createObjectURL(e),n.download=t,document.body.append(n),n.click(),n.remove(),setTimeout(()=>URL.revokeObjectURL(n.href),1e4)}var ot=Ge(localStorage.getItem(`flowdeck.utc`)===`1`);ot.subscribe(e=>localStorage.setItem(`flowdeck.utc`,e?`1`:`0`));function st(e,t=Date.now()){if(!e)return`—`;let n=Math.round((t-new Date(e).getTime())/1e3),r=n<0,i=Math.abs(n),a;return i<5?`just now`:(a=i<60?`${i} s`:i<3600?`${Math.floor(i/60)} min`:i<86400?`${Math.floor(i/3600)} h`:`${Math.floor(i/86400)} d`,r?`in ${a}`:`${a} ago`)}var ct=null;function lt(e,t=ot.get()){if(!e)return``;let n=new Date(e);return t?`${n.toISOString().replace(`T`,` `).slice(0,19)} UTC`:(ct??=new Intl.DateTimeFormat(void 0,{year:`numeric`,month:`numeric`,day:`numeric`,hour:`numeric`,minute:`numeric`,second:`numeric`,hour12:!1}),ct.format(n))}function ut(e){return e==null?`—`:e<1?`${Math.round(e*1e3)} ms`:e<60?`${e.toFixed(1)} s`:e<3600?`${Math.floor(e/60)} min ${Math.round(e%60)} s`:`${Math.floor(e/3600)} h ${Math.floor(e%3600/60)} min`}var dt=Symbol.for(`pv`),ft=0;Array.isArray;function q(t,n,r,i,a,o){n||={};var s,c,l=n;if(`ref`in l&&typeof t!=`function`)for(c in l={},n)c==`ref`?s=n[c]:l[c]=n[c];var u={type:t,props:l,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:dt,__v:--ft,__i:-1,__u:0};return(a||o)&&(u.__source=a,u.__self=o),e.vnode&&e.vnode(u),u}function pt(e,t=0){let n=[],r=null,i=null,a=0,o=()=>{r=null,a=performance.now();let t=n;n=[],t.length&&e(t)};return{push(e){if(n.push(e),r!==null||i!==null)return;let s=a+t-performance.now();s<=0?r=requestAnimationFrame(o):i=setTimeout(()=>{i=null,r=requestAnimationFrame(o)},s)},cancel(){r!==null&&cancelAnimationFrame(r),i!==null&&clearTimeout(i),r=null,i=null,n=[]}}}var mt=null,ht=new Set;function gt(){let[e,t]=I(Date.now());return L(()=>{let e=()=>t(Date.now());return ht.add(e),mt??=setInterval(()=>ht.forEach(e=>e()),5e3),()=>{ht.delete(e),!ht.size&&mt&&(clearInterval(mt),mt=null)}},[]),e}function J({at:e}){let t=gt(),n=W(ot),r=z(()=>lt(e,n),[e,n]);return e?q(`time`,{dateTime:e,title:r,children:st(e,t)}):q(`span`,{class:`muted`,children:`—`})}function _t({status:e}){return q(`span`,{class:`badge status-${e}`,children:e.replace(`_`,` `)})}function Y({error:e}){return e?q(`div`,{class:`error-box`,role:`alert`,children:e instanceof Error?e.message:String(e)}):null}function vt({text:e,label:t=`Copy`}){let[n,r]=I(!1);return q(`button`,{type:`button`,class:`small ghost`,title:`Copy ${e}`,onClick:async()=>{try{await navigator.clipboard.writeText(e)}catch{}r(!0),setTimeout(()=>r(!1),1200)},children:n?`Copied`:t})}function yt({value:e,label:t}){let n=e==null?`null`:JSON.stringify(e,null,2);return q(`details`,{class:`json`,open:n.length<2e3,children:[q(`summary`,{children:[t,` `,q(vt,{text:n})]}),q(`pre`,{children:n})]})}function bt({title:e,children:t,onClose:n}){L(()=>{let e=e=>e.key===`Escape`&&n();return addEventListener(`keydown`,e),()=>removeEventListener(`keydown`,e)},[n]);let r=R(null);return L(()=>r.current?.querySelector(`input, textarea, select, button`)?.focus(),[]),q(`div`,{class:`backdrop`,onClick:e=>e.target===e.currentTarget&&n(),children:q(`div`,{class:`dialog`,role:`dialog`,"aria-modal":`true`,"aria-label":e,ref:r,children:[q(`h2`,{children:e}),t]})})}function xt(){let[e,t]=I(document.visibilityState!==`hidden`);return L(()=>{let e=()=>t(document.visibilityState!==`hidden`);return document.addEventListener(`visibilitychange`,e),()=>document.removeEventListener(`visibilitychange`,e)},[]),e}function St({what:e}){return q(`p`,{class:`not-offered`,role:`status`,children:[`This server does not offer `,e,` yet.`]})}var Ct=`# Bulk jobs (JOBS.md), written against the contract's SDL (../shared/contract/schema.graphql);
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
`,X=class extends String{__apiType;value;__meta__;constructor(e,t){super(e),this.value=e,this.__meta__=t}toString(){return this.value}},wt=new X(`
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
    `,{fragmentName:`RunRow`}),Tt=new X(`
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
  attempts {
    attempt
    status
    startedAt
    finishedAt
    error
  }
}
    `,{fragmentName:`StepFields`}),Et=new X(`
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
    `,{fragmentName:`EventFields`}),Dt={"\n  query Me {\n    me {\n      name\n      role\n      project {\n        key\n      }\n    }\n  }\n":new X(`
    query Me {
  me {
    name
    role
    project {
      key
    }
  }
}
    `),"\n  fragment RunRow on Run {\n    id\n    status\n    workflowVersion\n    initiatedBy\n    priority\n    tenant\n    errorCount\n    createdAt\n    startedAt\n    finishedAt\n    durationSeconds\n    subject {\n      type\n      id\n      name\n    }\n    workflow {\n      key\n      name\n    }\n    tags {\n      key\n      value\n    }\n    error {\n      message\n    }\n  }\n":wt,"\n  query Runs(\n    $filter: String\n    $search: String\n    $orderBy: [RunOrder!]\n    $first: Int\n    $after: String\n    $last: Int\n    $before: String\n  ) {\n    runs(filter: $filter, search: $search, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n":new X(`
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
}`),"\n  query RunStats($filter: String) {\n    runStats(filter: $filter) {\n      total\n      byStatus {\n        status\n        count\n      }\n    }\n  }\n":new X(`
    query RunStats($filter: String) {
  runStats(filter: $filter) {
    total
    byStatus {
      status
      count
    }
  }
}
    `),"\n  subscription RunChanged($filter: String) {\n    runChanged(filter: $filter) {\n      ...RunRow\n    }\n  }\n":new X(`
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
}`),"\n  query WorkflowKeys {\n    workflows(first: 100) {\n      edges {\n        node {\n          key\n          name\n        }\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation BulkRunAction($input: BulkRunActionInput!) {\n    bulkRunAction(input: $input) {\n      matched\n      succeeded\n      failed\n      dryRun\n      failures {\n        runId\n        code\n        message\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation UnblockRuns($input: UnblockRunsInput!) {\n    unblockRuns(input: $input) {\n      matched\n      succeeded\n      failed\n      dryRun\n      failures {\n        runId\n        code\n        message\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation ExportRuns($input: ExportRunsInput!) {\n    exportRuns(input: $input) {\n      job {\n        id\n        status\n        progress\n        rowCount\n        url\n        error\n        format\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  subscription ExportJobProgress($id: ID!) {\n    exportJob(id: $id) {\n      id\n      status\n      progress\n      rowCount\n      url\n      error\n      format\n    }\n  }\n":new X(`
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
    `),"\n  query ExportJob($id: ID!) {\n    exportJob(id: $id) {\n      id\n      status\n      progress\n      rowCount\n      url\n      error\n      format\n      filter\n      createdAt\n    }\n  }\n":new X(`
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
    `),"\n  fragment StepFields on StepRun {\n    id\n    ref\n    name\n    type\n    status\n    attempt\n    dependsOn\n    iteration\n    parentRef\n    output\n    error\n    reason\n    createdAt\n    startedAt\n    finishedAt\n    waitingFor\n    availableActions\n    attempts {\n      attempt\n      status\n      startedAt\n      finishedAt\n      error\n    }\n  }\n":Tt,"\n  query Run($id: ID!) {\n    run(id: $id) {\n      id\n      status\n      workflowVersion\n      triggeredBy\n      initiatedBy\n      priority\n      tenant\n      reason\n      dryRun\n      visibility\n      input\n      output\n      errorCount\n      createdAt\n      startedAt\n      finishedAt\n      durationSeconds\n      availableActions\n      subject {\n        type\n        id\n        name\n      }\n      error {\n        message\n        type\n        stepRef\n      }\n      workflow {\n        key\n        name\n      }\n      project {\n        key\n      }\n      tags {\n        key\n        value\n      }\n      retryOf {\n        id\n        status\n      }\n      restartOf {\n        id\n        status\n      }\n      parentRun {\n        id\n        status\n      }\n      childRuns {\n        id\n        status\n        workflow {\n          key\n        }\n        parentStep {\n          ref\n        }\n      }\n      steps(includeLoopIterations: true) {\n        ...StepFields\n      }\n      events(first: 1) {\n        totalCount\n      }\n    }\n  }\n":new X(`
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
  attempts {
    attempt
    status
    startedAt
    finishedAt
    error
  }
}`),"\n  fragment EventFields on RunEvent {\n    seq\n    at\n    type\n    stepRef\n    stepType\n    attempt\n    ok\n    actor\n    reason\n    data\n  }\n":Et,"\n  query RunEvents($id: ID!, $after: Int, $first: Int) {\n    run(id: $id) {\n      id\n      events(after: $after, first: $first) {\n        totalCount\n        edges {\n          node {\n            ...EventFields\n          }\n        }\n      }\n    }\n  }\n":new X(`
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
}`),"\n  subscription RunEventsLive($runId: ID!, $after: Int) {\n    runEvents(runId: $runId, after: $after) {\n      ...EventFields\n    }\n  }\n":new X(`
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
}`),"\n  subscription RunUpdatesLive($runId: ID!) {\n    runUpdates(runId: $runId) {\n      seq\n      at\n      type\n      message\n      details\n    }\n  }\n":new X(`
    subscription RunUpdatesLive($runId: ID!) {
  runUpdates(runId: $runId) {
    seq
    at
    type
    message
    details
  }
}
    `),"\n  mutation CancelRun($input: RunActionInput!) {\n    cancelRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation TerminateRun($input: RunActionInput!) {\n    terminateRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation PauseRun($input: RunActionInput!) {\n    pauseRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation ResumeRun($input: RunActionInput!) {\n    resumeRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation RetryRun($input: RunActionInput!) {\n    retryRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation RestartRun($input: RunActionInput!) {\n    restartRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation SignalRun($input: SignalRunInput!) {\n    signalRun(input: $input) {\n      run {\n        id\n        status\n      }\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation ApproveStep($input: StepActionInput!) {\n    approveStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation ApproveStep($input: StepActionInput!) {
  approveStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RejectStep($input: StepActionInput!) {\n    rejectStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation RejectStep($input: StepActionInput!) {
  rejectStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation SkipStep($input: StepActionInput!) {\n    skipStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation SkipStep($input: StepActionInput!) {
  skipStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation RetryStep($input: StepActionInput!) {\n    retryStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation RetryStep($input: StepActionInput!) {
  retryStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ReplaySubtree($input: StepActionInput!) {\n    replaySubtree(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation ReplaySubtree($input: StepActionInput!) {
  replaySubtree(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  mutation ForceCompleteStep($input: ForceCompleteStepInput!) {\n    forceCompleteStep(input: $input) {\n      errors {\n        code\n        message\n      }\n    }\n  }\n":new X(`
    mutation ForceCompleteStep($input: ForceCompleteStepInput!) {
  forceCompleteStep(input: $input) {
    errors {
      code
      message
    }
  }
}
    `),"\n  query Workflows {\n    workflows(first: 100) {\n      totalCount\n      edges {\n        node {\n          key\n          name\n          description\n          version\n          updatedAt\n          project {\n            key\n          }\n        }\n      }\n    }\n  }\n":new X(`
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
    `),"\n  query Workflow($key: String!, $project: String) {\n    workflow(key: $key, project: $project) {\n      key\n      name\n      description\n      version\n      project {\n        key\n      }\n      versions {\n        version\n        createdAt\n        createdBy\n        maxParallelSteps\n        steps {\n          ref\n          name\n          type\n          dependsOn\n        }\n      }\n    }\n  }\n":new X(`
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
    `),"\n  mutation StartRun($input: StartRunInput!) {\n    startRun(input: $input) {\n      run {\n        id\n      }\n      errors {\n        code\n        message\n        field\n      }\n    }\n  }\n":new X(`
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
    `),'\n  query QueryFields {\n    __type(name: "Query") {\n      fields {\n        name\n      }\n    }\n  }\n':new X(`
    query QueryFields {
  __type(name: "Query") {
    fields {
      name
    }
  }
}
    `)};function Z(e){return Dt[e]??{}}var Ot=Z(`
  query Me {
    me {
      name
      role
      project {
        key
      }
    }
  }
`);Z(`
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
`);var kt=Z(`
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
`),At=Z(`
  query RunStats($filter: String) {
    runStats(filter: $filter) {
      total
      byStatus {
        status
        count
      }
    }
  }
`),jt=Z(`
  subscription RunChanged($filter: String) {
    runChanged(filter: $filter) {
      ...RunRow
    }
  }
`),Mt=Z(`
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
`),Nt=Z(`
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
`),Pt=Z(`
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
`),Ft=Z(`
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
`),It=Z(`
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
`),Lt=Z(`
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
`);Z(`
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
    attempts {
      attempt
      status
      startedAt
      finishedAt
      error
    }
  }
`);var Rt=Z(`
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
`);Z(`
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
`);var zt=Z(`
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
`),Bt=Z(`
  subscription RunEventsLive($runId: ID!, $after: Int) {
    runEvents(runId: $runId, after: $after) {
      ...EventFields
    }
  }
`),Vt=Z(`
  subscription RunUpdatesLive($runId: ID!) {
    runUpdates(runId: $runId) {
      seq
      at
      type
      message
      details
    }
  }
`),Ht=Z(`
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
`),Ut=Z(`
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
`),Wt=Z(`
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
`),Gt=Z(`
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
`),Kt=Z(`
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
`),qt=Z(`
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
`),Jt=Z(`
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
`),Yt=Z(`
  mutation ApproveStep($input: StepActionInput!) {
    approveStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Xt=Z(`
  mutation RejectStep($input: StepActionInput!) {
    rejectStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Zt=Z(`
  mutation SkipStep($input: StepActionInput!) {
    skipStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),Qt=Z(`
  mutation RetryStep($input: StepActionInput!) {
    retryStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),$t=Z(`
  mutation ReplaySubtree($input: StepActionInput!) {
    replaySubtree(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),en=Z(`
  mutation ForceCompleteStep($input: ForceCompleteStepInput!) {
    forceCompleteStep(input: $input) {
      errors {
        code
        message
      }
    }
  }
`),tn=Z(`
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
`),nn=Z(`
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
`),rn=Z(`
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
`),an=Z(`
  query QueryFields {
    __type(name: "Query") {
      fields {
        name
      }
    }
  }
`),on=null;function sn(){return on??=K(an).then(e=>new Set((e.__type?.fields??[]).map(e=>e.name))),on.catch(()=>{on=null}),on}function cn(e,t){return{toString:()=>e,operationName:t}}var ln=Ge(null),un=[`VIEWER`,`OPERATOR`,`ADMIN`,`SUPERADMIN`];function dn(e){let t=ln.get();return!!t&&un.indexOf(t.role)>=un.indexOf(e)}function fn(){let e=/^#key=(.+)$/.exec(location.hash);e&&(history.replaceState(null,``,location.pathname+location.search),qe(decodeURIComponent(e[1])))}async function pn(){if(ln.set(null),G.get())try{let e=await K(Ot);Ye.set(null),ln.set(e.me)}catch(e){e instanceof Xe&&e.code===`UNAUTHENTICATED`||Ye.set(e.message)}}var mn=typeof BroadcastChannel==`function`?new BroadcastChannel(`flowdeck-key`):null;mn?.addEventListener(`message`,e=>{e.data.type===`ask`&&G.get()?mn.postMessage({type:`key`,key:G.get()}):e.data.type===`key`&&e.data.key&&!G.get()&&qe(e.data.key)});function hn(){G.get()||mn?.postMessage({type:`ask`})}var gn=cn(Ct,`BulkJobs`),_n=cn(Ct,`BulkJob`),vn=cn(Ct,`BackgroundBulkRunAction`),yn=cn(Ct,`CancelBulkJob`),bn=new Set([`PENDING`,`RUNNING`]),xn=`flowdeck.exports`;function Sn(){try{return JSON.parse(localStorage.getItem(xn)??`[]`)}catch{return[]}}function Cn(e){localStorage.setItem(xn,JSON.stringify([e,...Sn().filter(t=>t!==e)].slice(0,20)))}function wn({id:e}){let[t,n]=I(null),[r,i]=I(null);L(()=>{K(Lt,{id:e}).then(e=>n(e.exportJob??null)).catch(i)},[e]);let a=t!==null&&bn.has(t.status);return L(()=>{if(a)return rt(It,{id:e},e=>n(t=>({...t,...e.exportJob})),i)},[e,a]),t?q(`tr`,{"data-export":t.id,"data-status":t.status,children:[q(`td`,{children:t.format}),q(`td`,{children:t.status}),q(`td`,{children:[q(`progress`,{max:1,value:t.progress}),` `,t.rowCount,` rows`]}),q(`td`,{children:q(`code`,{children:t.filter??``})}),q(`td`,{children:[t.status===`COMPLETED`&&t.url&&q(`button`,{type:`button`,class:`small`,onClick:async()=>{try{at(await it(t.url),`runs.${t.format===`CSV`?`csv`:`jsonl`}`)}catch(e){i(e)}},children:`Download`}),t.error&&q(`span`,{class:`err`,children:t.error}),q(Y,{error:r})]})]}):r?q(`tr`,{children:q(`td`,{colSpan:5,children:q(Y,{error:r})})}):null}function Tn(){let e=Sn();return q(`section`,{children:[q(`h2`,{children:`Exports started in this browser`}),e.length===0?q(`p`,{class:`muted`,children:`None yet: export from the runs page.`}):q(`div`,{class:`table-wrap`,children:q(`table`,{class:`exports`,children:[q(`thead`,{children:q(`tr`,{children:[q(`th`,{children:`Format`}),q(`th`,{children:`Status`}),q(`th`,{children:`Progress`}),q(`th`,{children:`Filter`}),q(`th`,{})]})}),q(`tbody`,{children:e.map(e=>q(wn,{id:e},e))})]})})]})}function En({job:e,onCancel:t}){let[n,r]=I(e);return L(()=>{if(bn.has(e.status))return rt(_n,{id:e.id},e=>r(e.bulkJob))},[e.id,e.status]),q(`tr`,{"data-job":n.id,"data-status":n.status,children:[q(`td`,{children:n.action}),q(`td`,{class:`job-status`,children:n.status}),q(`td`,{class:`job-progress`,children:[q(`progress`,{max:1,value:n.progress}),` `,n.processed,`/`,n.matched]}),q(`td`,{class:`job-result`,children:[n.succeeded,` ok, `,n.failed,` failed `,n.error&&q(`span`,{class:`err`,children:n.error})]}),q(`td`,{children:q(`code`,{children:n.filter??``})}),q(`td`,{children:q(J,{at:n.createdAt})}),q(`td`,{children:bn.has(n.status)&&dn(`OPERATOR`)&&q(`button`,{type:`button`,class:`small danger`,onClick:t,children:`Cancel`})})]})}async function Dn(e){let t=await K(yn,{id:e});return t.cancelBulkJob.errors.length?t.cancelBulkJob.errors.map(e=>e.message).join(`; `):null}function On(){let[e,t]=I(null),[n,r]=I(null),[i,a]=I(null),[o,s]=I(0);return L(()=>{sn().then(e=>t(e.has(`bulkJobs`))).catch(a)},[]),L(()=>{e&&K(gn).then(e=>r(e.bulkJobs.edges.map(e=>e.node))).catch(a)},[e,o]),q(`main`,{class:`page`,children:[q(`h1`,{children:`Jobs`}),q(Y,{error:i}),q(`h2`,{children:`Bulk jobs`}),e===!1&&q(St,{what:`bulk jobs`}),n&&q(`div`,{class:`table-wrap`,children:[q(`table`,{children:[q(`thead`,{children:q(`tr`,{children:[q(`th`,{children:`Action`}),q(`th`,{children:`Status`}),q(`th`,{children:`Progress`}),q(`th`,{children:`Result`}),q(`th`,{children:`Filter`}),q(`th`,{children:`Created`}),q(`th`,{})]})}),q(`tbody`,{children:n.map(e=>q(En,{job:e,onCancel:async()=>{try{let t=await Dn(e.id);t&&a(Error(t)),s(e=>e+1)}catch(e){a(e)}}},e.id))})]}),n.length===0&&q(`p`,{class:`empty`,children:`No bulk jobs.`})]}),q(Tn,{})]})}var kn=Object.assign;function An(e,t){for(var n in e)if(n!=`__source`&&e[n]!==t[n])return!0;for(var r in t)if(r!=`__source`&&!(r in e))return!0;return!1}var jn=/^(-|f[lo].*[^se]$|g.{5,}[^ps]$|z|o[pr]|(W.{5})?[lL]i.*(t|mp)$|an|(bo|s).{4}Im|sca|m.{6}[ds]|ta|c.*[st]$|wido|ini|asp|fill|st)/;function Mn(e,t){function n(e){var n=this.props.ref;return n!=e.ref&&n&&(typeof n==`function`?n(null):n.current=null),t?!t(this.props,e)||n!=e.ref:An(this.props,e)}function r(t){return this.shouldComponentUpdate=n,v(e,t)}return r.displayName=`Memo(`+(e.displayName||e.name)+`)`,r.prototype.isReactComponent=!0,r.type=e,r}var Nn=Symbol.for(`react.element`),Pn=/^(?:accent|alignment|arabic|baseline|cap|clip(?!PathU)|color|dominant|fill|flood|font|glyph(?!R)|horiz|image(?!S)|letter|lighting|marker(?!H|W|U)|overline|paint|pointer|shape|stop|strikethrough|stroke|text(?!L)|transform|underline|unicode|units|v|vector|vert|word|writing|x(?!C))[A-Z]/,Fn=/[A-Z0-9]/g,In=typeof document<`u`,Ln=function(e){return/fil|che|rad/.test(e)};x.prototype.isReactComponent=!0,[`componentWillMount`,`componentWillReceiveProps`,`componentWillUpdate`].forEach(function(e){Object.defineProperty(x.prototype,e,{configurable:!0,get:function(){return this[`UNSAFE_`+e]},set:function(t){Object.defineProperty(this,e,{configurable:!0,writable:!0,value:t})}})});var Rn=e.event;e.event=function(e){return Rn&&(e=Rn(e)),e.persist=function(){},e.isPropagationStopped=function(){return this.cancelBubble},e.isDefaultPrevented=function(){return this.defaultPrevented},e.nativeEvent=e};var zn={configurable:!0,get:function(){return this.class}},Bn=e.vnode;e.vnode=function(e){if(typeof e.type==`string`)(function(e){var t=e.props,n=e.type,r={},i=n.indexOf(`-`)==-1;for(var a in t){var o=t[a];if(!(a==`value`&&`defaultValue`in t&&o==null||In&&a==`children`&&n==`noscript`||a==`class`||a==`className`)){if(a==`style`&&o&&o.constructor==Object){var s=void 0;for(var c in o)typeof o[c]!=`number`||jn.test(c)||(s||=o=kn({},o),o[c]+=`px`)}else if(a==`defaultValue`&&`value`in t&&t.value==null)a=`value`;else if(a==`download`&&!0===o)o=``;else if(a==`translate`&&o===`no`)o=!1;else if(a[0]==`o`&&a[1]==`n`){var l=a.toLowerCase();l==`ondoubleclick`?a=`ondblclick`:l!=`onchange`||n!=`input`&&n!=`textarea`||Ln(t.type)?l==`onfocus`?a=`onfocusin`:l==`onblur`&&(a=`onfocusout`):l=a=`oninput`,l==`oninput`&&r[a=l]&&(a=`oninputCapture`)}else i&&Pn.test(a)?a=a.replace(Fn,`-$&`).toLowerCase():o===null&&(o=void 0);r[a]=o}}if(n==`select`){var u=r.defaultValue==null?r.multiple&&Array.isArray(r.value)?r.value:null:r.defaultValue;u!=null&&(r.value=k(t.children).forEach(function(e){e.props.selected=r.multiple?u.indexOf(e.props.value)!=-1:u==e.props.value}))}t.class&&!t.className?(r.class=t.class,Object.defineProperty(r,"className",zn)):t.className&&(r.class=r.className=t.className),e.props=r})(e);else if(typeof e.type==`function`&&(`ref`in e.props&&`prototype`in e.type&&e.type.prototype.render&&(e.ref=e.props.ref,delete e.props.ref),e.type.defaultProps)){var t=kn({},e.props);for(var n in e.type.defaultProps)t[n]===void 0&&(t[n]=e.type.defaultProps[n]);e.props=t}e.ref&&!(`ref`in e.props)&&Object.defineProperty(e.props,"ref",{value:e.ref,configurable:!0,writable:!0}),e.$$typeof=Nn,Bn&&Bn(e)};var Vn=Object.defineProperty,Hn=(e,t,n)=>t in e?Vn(e,t,{enumerable:!0,configurable:!0,writable:!0,value:n}):e[t]=n,Un=(e,t)=>{for(var n in t)Vn(e,n,{get:t[n],enumerable:!0})},Wn=(e,t,n)=>Hn(e,typeof t==`symbol`?t:t+``,n),Gn={};Un(Gn,{Graph:()=>Q,alg:()=>ir});var Kn=Object.defineProperty,qn=(e,t)=>{for(var n in t)Kn(e,n,{get:t[n],enumerable:!0})},Jn=class{constructor(e){this._isDirected=!0,this._isMultigraph=!1,this._isCompound=!1,this._nodes={},this._in={},this._preds={},this._out={},this._sucs={},this._edgeObjs={},this._edgeLabels={},this._nodeCount=0,this._edgeCount=0,this._defaultNodeLabelFn=()=>{},this._defaultEdgeLabelFn=()=>{},e&&(this._isDirected=`directed`in e?e.directed:!0,this._isMultigraph=`multigraph`in e&&e.multigraph,this._isCompound=`compound`in e&&e.compound),this._isCompound&&(this._parent={},this._children={},this._children[`\0`]={})}isDirected(){return this._isDirected}isMultigraph(){return this._isMultigraph}isCompound(){return this._isCompound}setGraph(e){return this._label=e,this}graph(){return this._label}setDefaultNodeLabel(e){return this._defaultNodeLabelFn=typeof e==`function`?e:()=>e,this}nodeCount(){return this._nodeCount}nodes(){return Object.keys(this._nodes)}sources(){return this.nodes().filter(e=>Object.keys(this._in[e]).length===0)}sinks(){return this.nodes().filter(e=>Object.keys(this._out[e]).length===0)}setNodes(e,t){return e.forEach(e=>{t===void 0?this.setNode(e):this.setNode(e,t)}),this}setNode(e,t){return e in this._nodes?(arguments.length>1&&(this._nodes[e]=t),this):(this._nodes[e]=arguments.length>1?t:this._defaultNodeLabelFn(e),this._isCompound&&(this._parent[e]=`\0`,this._children[e]={},this._children[`\0`][e]=!0),this._in[e]={},this._preds[e]={},this._out[e]={},this._sucs[e]={},++this._nodeCount,this)}node(e){return this._nodes[e]}hasNode(e){return e in this._nodes}removeNode(e){if(e in this._nodes){let t=e=>this.removeEdge(this._edgeObjs[e]);delete this._nodes[e],this._isCompound&&(this._removeFromParentsChildList(e),delete this._parent[e],this.children(e).forEach(e=>{this.setParent(e)}),delete this._children[e]),Object.keys(this._in[e]).forEach(t),delete this._in[e],delete this._preds[e],Object.keys(this._out[e]).forEach(t),delete this._out[e],delete this._sucs[e],--this._nodeCount}return this}setParent(e,t){if(!this._isCompound)throw Error(`Cannot set parent in a non-compound graph`);if(t===void 0)t=`\0`;else{t+=``;for(let n=t;n!==void 0;n=this.parent(n))if(n===e)throw Error(`Setting `+t+` as parent of `+e+` would create a cycle`);this.setNode(t)}return this.setNode(e),this._removeFromParentsChildList(e),this._parent[e]=t,this._children[t][e]=!0,this}parent(e){if(this._isCompound){let t=this._parent[e];if(t!==`\0`)return t}}children(e=`\0`){if(this._isCompound){let t=this._children[e];if(t)return Object.keys(t)}else{if(e===`\0`)return this.nodes();if(this.hasNode(e))return[]}return[]}predecessors(e){let t=this._preds[e];if(t)return Object.keys(t)}successors(e){let t=this._sucs[e];if(t)return Object.keys(t)}neighbors(e){let t=this.predecessors(e);if(t){let n=new Set(t),r=this.successors(e);if(r)for(let e of r)n.add(e);return Array.from(n.values())}}isLeaf(e){let t;return t=this.isDirected()?this.successors(e):this.neighbors(e),(t?.length??0)===0}filterNodes(e){let t=new this.constructor({directed:this._isDirected,multigraph:this._isMultigraph,compound:this._isCompound});t.setGraph(this.graph()),Object.entries(this._nodes).forEach(([n,r])=>{e(n)&&t.setNode(n,r)}),Object.values(this._edgeObjs).forEach(e=>{t.hasNode(e.v)&&t.hasNode(e.w)&&t.setEdge(e,this.edge(e))});let n={},r=e=>{let i=this.parent(e);return!i||t.hasNode(i)?(n[e]=i,i):i in n?n[i]:r(i)};return this._isCompound&&t.nodes().forEach(e=>t.setParent(e,r(e))),t}setDefaultEdgeLabel(e){return this._defaultEdgeLabelFn=typeof e==`function`?e:()=>e,this}edgeCount(){return this._edgeCount}edges(){return Object.values(this._edgeObjs)}setPath(e,t){return e.reduce((e,n)=>(t===void 0?this.setEdge(e,n):this.setEdge(e,n,t),n)),this}setEdge(e,t,n,r){let i,a,o,s,c=!1;typeof e==`object`&&e&&`v`in e?(i=e.v,a=e.w,o=e.name,arguments.length===2&&(s=t,c=!0)):(i=e,a=t,o=r,arguments.length>2&&(s=n,c=!0)),i=``+i,a=``+a,o!==void 0&&(o=``+o);let l=Zn(this._isDirected,i,a,o);if(l in this._edgeLabels)return c&&(this._edgeLabels[l]=s),this;if(o!==void 0&&!this._isMultigraph)throw Error(`Cannot set a named edge when isMultigraph = false`);this.setNode(i),this.setNode(a),this._edgeLabels[l]=c?s:this._defaultEdgeLabelFn(i,a,o);let u=Qn(this._isDirected,i,a,o);return i=u.v,a=u.w,Object.freeze(u),this._edgeObjs[l]=u,Yn(this._preds[a],i),Yn(this._sucs[i],a),this._in[a][l]=u,this._out[i][l]=u,this._edgeCount++,this}edge(e,t,n){let r=arguments.length===1?$n(this._isDirected,e):Zn(this._isDirected,e,t,n);return this._edgeLabels[r]}edgeAsObj(e,t,n){let r=arguments.length===1?this.edge(e):this.edge(e,t,n);return typeof r!=`object`||!r?{label:r}:r}hasEdge(e,t,n){return(arguments.length===1?$n(this._isDirected,e):Zn(this._isDirected,e,t,n))in this._edgeLabels}removeEdge(e,t,n){let r=arguments.length===1?$n(this._isDirected,e):Zn(this._isDirected,e,t,n),i=this._edgeObjs[r];if(i){let e=i.v,t=i.w;delete this._edgeLabels[r],delete this._edgeObjs[r],Xn(this._preds[t],e),Xn(this._sucs[e],t),delete this._in[t][r],delete this._out[e][r],this._edgeCount--}return this}inEdges(e,t){return this.isDirected()?this.filterEdges(this._in[e],e,t):this.nodeEdges(e,t)}outEdges(e,t){return this.isDirected()?this.filterEdges(this._out[e],e,t):this.nodeEdges(e,t)}nodeEdges(e,t){if(e in this._nodes)return this.filterEdges({...this._in[e],...this._out[e]},e,t)}_removeFromParentsChildList(e){delete this._children[this._parent[e]][e]}filterEdges(e,t,n){if(!e)return;let r=Object.values(e);return n?r.filter(e=>e.v===t&&e.w===n||e.v===n&&e.w===t):r}};function Yn(e,t){e[t]?e[t]++:e[t]=1}function Xn(e,t){e[t]!==void 0&&!--e[t]&&delete e[t]}function Zn(e,t,n,r){let i=``+t,a=``+n;if(!e&&i>a){let e=i;i=a,a=e}return i+``+a+``+(r===void 0?`\0`:r)}function Qn(e,t,n,r){let i=``+t,a=``+n;if(!e&&i>a){let e=i;i=a,a=e}let o={v:i,w:a};return r&&(o.name=r),o}function $n(e,t){return Zn(e,t.v,t.w,t.name)}qn({},{read:()=>rr,write:()=>er});function er(e){let t={options:{directed:e.isDirected(),multigraph:e.isMultigraph(),compound:e.isCompound()},nodes:tr(e),edges:nr(e)},n=e.graph();return n!==void 0&&(t.value=structuredClone(n)),t}function tr(e){return e.nodes().map(t=>{let n=e.node(t),r=e.parent(t),i={v:t};return n!==void 0&&(i.value=n),r!==void 0&&(i.parent=r),i})}function nr(e){return e.edges().map(t=>{let n=e.edge(t),r={v:t.v,w:t.w};return t.name!==void 0&&(r.name=t.name),n!==void 0&&(r.value=n),r})}function rr(e){let t=new Jn(e.options);return e.value!==void 0&&t.setGraph(e.value),e.nodes.forEach(e=>{t.setNode(e.v,e.value),e.parent&&t.setParent(e.v,e.parent)}),e.edges.forEach(e=>{t.setEdge({v:e.v,w:e.w,name:e.name},e.value)}),t}var ir={};qn(ir,{CycleException:()=>yr,bellmanFord:()=>or,components:()=>cr,dijkstra:()=>dr,dijkstraAll:()=>pr,findCycles:()=>hr,floydWarshall:()=>_r,isAcyclic:()=>xr,postorder:()=>Tr,preorder:()=>Er,prim:()=>Dr,shortestPaths:()=>Or,tarjan:()=>mr,topsort:()=>br});var ar=()=>1;function or(e,t,n,r){return sr(e,String(t),n||ar,r||function(t){return e.outEdges(t)??[]})}function sr(e,t,n,r){let i={},a,o=0,s=e.nodes(),c=function(e){let t=i[e.v],r=i[e.w];if(!t||!r)return;let o=n(e);t.distance+o<r.distance&&(i[e.w]={distance:t.distance+o,predecessor:e.v},a=!0)},l=function(){s.forEach(function(e){r(e).forEach(function(t){let n=t.v===e?t.v:t.w,r=n===t.v?t.w:t.v;c({v:n,w:r})})})};s.forEach(function(e){i[e]={distance:e===t?0:1/0,predecessor:``}});let u=s.length;for(let e=1;e<u&&(a=!1,o++,l(),a);e++);if(o===u-1&&(a=!1,l(),a))throw Error(`The graph contains a negative weight cycle`);return i}function cr(e){let t={},n=[],r;function i(n){var a,o;n in t||(t[n]=!0,r.push(n),(a=e.successors(n))==null||a.forEach(i),(o=e.predecessors(n))==null||o.forEach(i))}return e.nodes().forEach(function(e){r=[],i(e),r.length&&n.push(r)}),n}var lr=class{constructor(){this._arr=[],this._keyIndices={}}size(){return this._arr.length}keys(){return this._arr.map(e=>e.key)}has(e){return e in this._keyIndices}priority(e){let t=this._keyIndices[e];if(t!==void 0)return this._arr[t].priority}min(){if(this.size()===0)throw Error(`Queue underflow`);return this._arr[0].key}add(e,t){let n=this._keyIndices,r=String(e);if(!(r in n)){let e=this._arr,i=e.length;return n[r]=i,e.push({key:r,priority:t}),this._decrease(i),!0}return!1}removeMin(){if(this.size()===0)throw Error(`Queue underflow`);this._swap(0,this._arr.length-1);let e=this._arr.pop();return delete this._keyIndices[e.key],this._heapify(0),e.key}decrease(e,t){let n=this._keyIndices[e];if(n===void 0)throw Error(`Key not found: ${e}`);let r=this._arr[n].priority;if(t>r)throw Error(`New priority is greater than current priority. Key: ${e} Old: ${r} New: ${t}`);this._arr[n].priority=t,this._decrease(n)}_heapify(e){let t=this._arr,n=2*e,r=n+1,i=e;n<t.length&&(i=t[n].priority<t[i].priority?n:i,r<t.length&&(i=t[r].priority<t[i].priority?r:i),i!==e&&(this._swap(e,i),this._heapify(i)))}_decrease(e){let t=this._arr,n=t[e].priority,r;for(;e!==0&&(r=e>>1,!(t[r].priority<n));)this._swap(e,r),e=r}_swap(e,t){let n=this._arr,r=this._keyIndices,i=n[e],a=n[t];n[e]=a,n[t]=i,r[a.key]=e,r[i.key]=t}},ur=()=>1;function dr(e,t,n,r){return fr(e,String(t),n||ur,r||function(t){return e.outEdges(t)??[]})}function fr(e,t,n,r){let i={},a=new lr,o,s,c=function(e){let t=e.v===o?e.w:e.v,r=i[t];if(!r)return;let c=n(e),l=s.distance+c;if(c<0)throw Error(`dijkstra does not allow negative edge weights. Bad edge: `+e+` Weight: `+c);l<r.distance&&(r.distance=l,r.predecessor=o,a.decrease(t,l))};for(e.nodes().forEach(function(e){let n=e===t?0:1/0;i[e]={distance:n,predecessor:``},a.add(e,n)});a.size()>0;){o=a.removeMin();let e=i[o];if(!e||e.distance===1/0)break;s=e,r(o).forEach(c)}return i}function pr(e,t,n){return e.nodes().reduce(function(r,i){return r[i]=dr(e,i,t,n),r},{})}function mr(e){let t=0,n=[],r={},i=[];function a(o){var s;let c=r[o]={onStack:!0,lowlink:t,index:t++};if(n.push(o),(s=e.successors(o))==null||s.forEach(function(e){if(e in r){let t=r[e];t!=null&&t.onStack&&(c.lowlink=Math.min(c.lowlink,t.index))}else{a(e);let t=r[e];t&&(c.lowlink=Math.min(c.lowlink,t.lowlink))}}),c.lowlink===c.index){let e=[],t;do{t=n.pop();let i=r[t];i&&(i.onStack=!1),e.push(t)}while(o!==t);i.push(e)}}return e.nodes().forEach(function(e){e in r||a(e)}),i}function hr(e){return mr(e).filter(function(t){let n=t[0];return n?t.length>1||t.length===1&&(e.outEdges(n,n)??[]).length>0:!1})}var gr=()=>1;function _r(e,t,n){return vr(e,t||gr,n||function(t){return e.outEdges(t)??[]})}function vr(e,t,n){let r={},i=e.nodes();return i.forEach(function(e){let a={};r[e]=a,a[e]={distance:0,predecessor:``},i.forEach(function(t){e!==t&&(a[t]={distance:1/0,predecessor:``})}),n(e).forEach(function(n){let r=n.v===e?n.w:n.v,i=t(n);a[r]={distance:i,predecessor:e}})}),i.forEach(function(e){let t=r[e];t&&i.forEach(function(n){let a=r[n];a&&i.forEach(function(n){let r=a[e],i=t[n],o=a[n];if(r&&i&&o){let e=r.distance+i.distance;e<o.distance&&(o.distance=e,o.predecessor=i.predecessor)}})})}),r}var yr=class extends Error{constructor(e){super(e),this.name=`CycleException`}};function br(e){let t={},n={},r=[];function i(a){var o;if(a in n)throw new yr;a in t||(n[a]=!0,t[a]=!0,(o=e.predecessors(a))==null||o.forEach(i),delete n[a],r.push(a))}if(e.sinks().forEach(i),Object.keys(t).length!==e.nodeCount())throw new yr;return r}function xr(e){try{br(e)}catch(e){if(e instanceof yr)return!1;throw e}return!0}function Sr(e,t,n,r,i){Array.isArray(t)||(t=[t]);let a=(t=>(e.isDirected()?e.successors(t):e.neighbors(t))??[]),o={};return t.forEach(function(t){if(!e.hasNode(t))throw Error(`Graph does not have node: `+t);i=Cr(e,t,n===`post`,o,a,r,i)}),i}function Cr(e,t,n,r,i,a,o){return t in r||(r[t]=!0,n||(o=a(o,t)),i(t).forEach(function(t){o=Cr(e,t,n,r,i,a,o)}),n&&(o=a(o,t))),o}function wr(e,t,n){return Sr(e,t,n,function(e,t){return e.push(t),e},[])}function Tr(e,t){return wr(e,t,`post`)}function Er(e,t){return wr(e,t,`pre`)}function Dr(e,t){var n;let r=new Jn,i={},a=new lr,o;function s(e){let n=e.v===o?e.w:e.v,r=a.priority(n);if(r!==void 0){let s=t(e);s<r&&(i[n]=o,a.decrease(n,s))}}if(e.nodeCount()===0)return r;e.nodes().forEach(function(e){a.add(e,1/0),r.setNode(e)});let c=e.nodes()[0];c!==void 0&&a.decrease(c,0);let l=!1;for(;a.size()>0;){if(o=a.removeMin(),o in i)r.setEdge(o,i[o]);else{if(l)throw Error(`Input graph is not connected: `+e);l=!0}(n=e.nodeEdges(o))==null||n.forEach(s)}return r}function Or(e,t,n,r){return kr(e,t,n,r??(t=>e.outEdges(t)??[]))}function kr(e,t,n,r){if(n===void 0)return dr(e,t,n,r);let i=!1,a=e.nodes();for(let o=0;o<a.length;o++){let s=a[o];if(s===void 0)continue;let c=r(s);for(let e=0;e<c.length;e++){let t=c[e];if(!t)continue;let r=t.v===s?t.v:t.w;n({v:r,w:r===t.v?t.w:t.v})<0&&(i=!0)}if(i)return or(e,t,n,r)}return dr(e,t,n,r)}var Q=Jn;function Ar(e,t,n,r){let i=r;for(;e.hasNode(i);)i=Kr(r);return n.dummy=t,e.setNode(i,n),i}function jr(e){let t=new Q().setGraph(e.graph());return e.nodes().forEach(n=>t.setNode(n,e.node(n))),e.edges().forEach(n=>{let r=t.edge(n.v,n.w)||{weight:0,minlen:1},i=e.edge(n);t.setEdge(n.v,n.w,{weight:r.weight+i.weight,minlen:Math.max(r.minlen,i.minlen)})}),t}function Mr(e){let t=new Q({multigraph:e.isMultigraph()}).setGraph(e.graph());return e.nodes().forEach(n=>{e.children(n).length||t.setNode(n,e.node(n))}),e.edges().forEach(n=>{t.setEdge(n,e.edge(n))}),t}function Nr(e,t){let n=e.x,r=e.y,i=t.x-n,a=t.y-r,o=e.width/2,s=e.height/2;if(!i&&!a)throw Error(`Not possible to find intersection inside of the rectangle`);let c,l;return i===0||Math.abs(a)*o>Math.abs(i)*s?(a<0&&(s=-s),c=s*i/a,l=s):(i<0&&(o=-o),c=o,l=o*a/i),{x:n+c,y:r+l}}function Pr(e){let t=qr(Vr(e)+1).map(()=>[]);return e.nodes().forEach(n=>{let r=e.node(n),i=r.rank;i!==void 0&&(t[i]||(t[i]=[]),t[i][r.order]=n)}),t}function Fr(e){let t=e.nodes().map(t=>{let n=e.node(t).rank;return n===void 0?Number.MAX_VALUE:n}),n=Br(Math.min,t);e.nodes().forEach(t=>{let r=e.node(t);Object.hasOwn(r,`rank`)&&(r.rank-=n)})}function Ir(e){let t=e.nodes().map(t=>e.node(t).rank).filter(e=>e!==void 0),n=Br(Math.min,t),r=[];e.nodes().forEach(t=>{let i=e.node(t).rank-n;r[i]||(r[i]=[]),r[i].push(t)});let i=0,a=e.graph().nodeRankFactor;Array.from(r).forEach((t,n)=>{t===void 0&&n%a!==0?--i:t!==void 0&&i&&t.forEach(t=>e.node(t).rank+=i)})}function Lr(e,t,n,r){let i={width:0,height:0};return arguments.length>=4&&(i.rank=n,i.order=r),Ar(e,`border`,i,t)}function Rr(e,t=zr){let n=[];for(let r=0;r<e.length;r+=t){let i=e.slice(r,r+t);n.push(i)}return n}var zr=65535;function Br(e,t){return t.length>zr?e(...Rr(t).map(t=>e(...t))):e(...t)}function Vr(e){let t=e.nodes().map(t=>{let n=e.node(t).rank;return n===void 0?Number.MIN_VALUE:n});return Br(Math.max,t)}function Hr(e,t){let n={lhs:[],rhs:[]};return e.forEach(e=>{t(e)?n.lhs.push(e):n.rhs.push(e)}),n}function Ur(e,t){let n=Date.now();try{return t()}finally{console.log(e+` time: `+(Date.now()-n)+`ms`)}}function Wr(e,t){return t()}var Gr=0;function Kr(e){return e+(``+ ++Gr)}function qr(e,t,n=1){t??(t=e,e=0);let r=e=>e<t;n<0&&(r=e=>t<e);let i=[];for(let t=e;r(t);t+=n)i.push(t);return i}function Jr(e,t){let n={};for(let r of t)e[r]!==void 0&&(n[r]=e[r]);return n}function Yr(e,t){let n;return n=typeof t==`string`?e=>e[t]:t,Object.entries(e).reduce((e,[t,r])=>(e[t]=n(r,t),e),{})}function Xr(e,t){return e.reduce((e,n,r)=>(e[n]=t[r],e),{})}var Zr=`\0`;function Qr(e,t,n){if(!(e&&t&&n&&t.dummy===`edge`&&n.dummy===`edge`&&t.edgeObj&&n.edgeObj&&e[t.edgeObj.v]&&e[n.edgeObj.v]&&e[t.edgeObj.w]&&e[n.edgeObj.w]))return 0;let r=!0;t.edgeObj.w===n.edgeObj.w&&(r=!1);let i=r?e[t.edgeObj.v]?.rank??NaN:e[t.edgeObj.w]?.rank??NaN,a=Object.entries(e).find(e=>e[1].edgeObj?.v===t.edgeObj.v&&e[1].edgeObj?.w===t.edgeObj.w&&e[1].rank===i),o=Object.entries(e).find(e=>e[1].edgeObj?.v===n.edgeObj.v&&e[1].edgeObj?.w===n.edgeObj.w&&e[1].rank===i);if(!a||!o)return 0;let s=a[1].order??NaN,c=o[1].order??NaN;return isNaN(s-c)?0:s-c}var $r=`3.1.3`,ei=class{constructor(){Wn(this,`_sentinel`);let e={};e._next=e._prev=e,this._sentinel=e}dequeue(){let e=this._sentinel,t=e._prev;if(t!==e)return ti(t),t}enqueue(e){let t=this._sentinel;e._prev&&e._next&&ti(e),e._next=t._next,t._next._prev=e,t._next=e,e._prev=t}toString(){let e=[],t=this._sentinel,n=t._prev;for(;n!==t;)e.push(JSON.stringify(n,ni)),n=n._prev;return`[`+e.join(`, `)+`]`}};function ti(e){e._prev._next=e._next,e._next._prev=e._prev,delete e._next,delete e._prev}function ni(e,t){if(e!==`_next`&&e!==`_prev`)return t}var ri=ei,ii=()=>1;function ai(e,t){if(e.nodeCount()<=1)return[];let n=ci(e,t||ii);return oi(n.graph,n.buckets,n.zeroIdx).flatMap(t=>e.outEdges(t.v,t.w)||[])}function oi(e,t,n){let r=[],i=t[t.length-1],a=t[0],o;for(;e.nodeCount();){for(;o=a.dequeue();)si(e,t,n,o);for(;o=i.dequeue();)si(e,t,n,o);if(e.nodeCount()){for(let i=t.length-2;i>0;--i)if(o=t[i]?.dequeue(),o){r=r.concat(si(e,t,n,o,!0)||[]);break}}}return r}function si(e,t,n,r,i){let a=[],o=i?a:void 0;return(e.inEdges(r.v)||[]).forEach(r=>{let o=e.edge(r),s=e.node(r.v);i&&a.push({v:r.v,w:r.w}),s.out-=o,li(t,n,s)}),(e.outEdges(r.v)||[]).forEach(r=>{let i=e.edge(r),a=r.w,o=e.node(a);o.in-=i,li(t,n,o)}),e.removeNode(r.v),o}function ci(e,t){let n=new Q,r=0,i=0;e.nodes().forEach(e=>{n.setNode(e,{v:e,in:0,out:0})}),e.edges().forEach(e=>{let a=n.edge(e.v,e.w)||0,o=t(e),s=a+o;n.setEdge(e.v,e.w,s);let c=n.node(e.v),l=n.node(e.w);i=Math.max(i,c.out+=o),r=Math.max(r,l.in+=o)});let a=ui(i+r+3).map(()=>new ri),o=r+1;return n.nodes().forEach(e=>{li(a,o,n.node(e))}),{graph:n,buckets:a,zeroIdx:o}}function li(e,t,n){var r,i,a;n.out?n.in?(a=e[n.out-n.in+t])==null||a.enqueue(n):(i=e[e.length-1])==null||i.enqueue(n):(r=e[0])==null||r.enqueue(n)}function ui(e){let t=[];for(let n=0;n<e;n++)t.push(n);return t}function di(e,t){(e.graph().acyclicer===`greedy`?ai(e,n(e)):fi(e,t??null)).forEach(t=>{let n=e.edge(t);e.removeEdge(t),n.forwardName=t.name,n.reversed=!0,e.setEdge(t.w,t.v,n,Kr(`rev`))});function n(e){return t=>e.edge(t).weight}}function fi(e,t){let n=[],r={},i={};function a(t){Object.hasOwn(i,t)||(i[t]=!0,r[t]=!0,e.outEdges(t).forEach(e=>{Object.hasOwn(r,e.w)?n.push(e):a(e.w)}),delete r[t])}function o(a){var s;Object.hasOwn(i,a)||(i[a]=!0,r[a]=!0,(s=e.outEdges(a))==null||s.forEach(i=>{Object.hasOwn(r,i.w)||t.node(a)?.rank>t.node(i.w)?.rank&&mi(e,i.w,i)?n.push(i):o(i.w)}),delete r[a])}let s=a;return t&&typeof t.node==`function`&&(s=o),e.sources().forEach(s),e.nodes().forEach(s),n}function pi(e){e.edges().forEach(t=>{let n=e.edge(t);if(n.reversed){e.removeEdge(t);let r=n.forwardName;delete n.reversed,delete n.forwardName,e.setEdge(t.w,t.v,n,r)}})}function mi(e,t,n){let r=new Set;function i(t){if(e.sources().includes(t))return!0;r.add(t);for(let a of e.inEdges(t)??[])if((a.v!==n.v||a.w!==n.w)&&!r.has(a.v)&&i(a.v))return!0;return!1}return i(t)}function hi(e){e.graph().dummyChains=[],e.edges().forEach(t=>gi(e,t))}function gi(e,t){let n=t.v,r=e.node(n).rank,i=t.w,a=e.node(i).rank,o=t.name,s=e.edge(t),c=s.labelRank;if(a===r+1)return;e.removeEdge(t);let l,u,d=0;for(++r;r<a;++d,++r)s.points=[],u={width:0,height:0,edgeLabel:s,edgeObj:t,rank:r},l=Ar(e,`edge`,u,`_d`),r===c&&(u.width=s.width,u.height=s.height,u.dummy=`edge-label`,u.labelpos=s.labelpos),e.setEdge(n,l,{weight:s.weight},o),d===0&&e.graph().dummyChains.push(l),n=l;e.setEdge(n,i,{weight:s.weight},o)}function _i(e){e.graph().dummyChains.forEach(t=>{let n=e.node(t),r=n.edgeLabel,i;for(e.setEdge(n.edgeObj,r);n.dummy;)i=e.successors(t)[0],e.removeNode(t),r.points.push({x:n.x,y:n.y}),n.dummy===`edge-label`&&(r.x=n.x,r.y=n.y,r.width=n.width,r.height=n.height),t=i,n=e.node(t)})}function vi(e){let t={};function n(r){let i=e.node(r);if(Object.hasOwn(t,r))return i.rank;t[r]=!0;let a=e.outEdges(r),o=a?a.map(t=>t==null?1/0:n(t.w)-e.edge(t).minlen):[],s=Br(Math.min,o);return s===1/0&&(s=0),i.rank=s}e.sources().forEach(n)}function yi(e,t){return e.node(t.w).rank-e.node(t.v).rank-e.edge(t).minlen}var bi=xi;function xi(e){let t=new Q({directed:!1}),n=e.nodes();if(n.length===0)throw Error(`Graph must have at least one node`);let r=n[0],i=e.nodeCount();t.setNode(r,{});let a,o;for(;Si(t,e)<i&&(a=Ci(t,e),a);)o=t.hasNode(a.v)?yi(e,a):-yi(e,a),wi(t,e,o);return t}function Si(e,t){function n(r){let i=t.nodeEdges(r);i&&i.forEach(i=>{let a=i.v,o=r===a?i.w:a;!e.hasNode(o)&&!yi(t,i)&&(e.setNode(o,{}),e.setEdge(r,o,{}),n(o))})}return e.nodes().forEach(n),e.nodeCount()}function Ci(e,t){return t.edges().reduce((n,r)=>{let i=1/0;return e.hasNode(r.v)!==e.hasNode(r.w)&&(i=yi(t,r)),i<n[0]?[i,r]:n},[1/0,null])[1]}function wi(e,t,n){e.nodes().forEach(e=>t.node(e).rank+=n)}var{preorder:Ti,postorder:Ei}=ir,Di=Oi;Oi.initLowLimValues=Mi,Oi.initCutValues=ki,Oi.calcCutValue=ji,Oi.leaveEdge=Pi,Oi.enterEdge=Fi,Oi.exchangeEdges=Ii;function Oi(e){e=jr(e),vi(e);let t=bi(e);Mi(t),ki(t,e);let n,r;for(;n=Pi(t);)r=Fi(t,e,n),Ii(t,e,n,r)}function ki(e,t){let n=Ei(e,e.nodes());n=n.slice(0,n.length-1),n.forEach(n=>Ai(e,t,n))}function Ai(e,t,n){let r=e.node(n).parent,i=e.edge(n,r);i.cutvalue=ji(e,t,n)}function ji(e,t,n){let r=e.node(n).parent,i=!0,a=t.edge(n,r),o=0;a||=(i=!1,t.edge(r,n)),o=a.weight;let s=t.nodeEdges(n);return s&&s.forEach(a=>{let s=a.v===n,c=s?a.w:a.v;if(c!==r){let r=s===i,l=t.edge(a).weight;if(o+=r?l:-l,Ri(e,n,c)){let t=e.edge(n,c).cutvalue;o+=r?-t:t}}}),o}function Mi(e,t){arguments.length<2&&(t=e.nodes()[0]),Ni(e,{},1,t)}function Ni(e,t,n,r,i){let a=n,o=e.node(r);t[r]=!0;let s=e.neighbors(r);return s&&s.forEach(i=>{Object.hasOwn(t,i)||(n=Ni(e,t,n,i,r))}),o.low=a,o.lim=n++,i?o.parent=i:delete o.parent,n}function Pi(e){return e.edges().find(t=>e.edge(t).cutvalue<0)}function Fi(e,t,n){let r=n.v,i=n.w;t.hasEdge(r,i)||(r=n.w,i=n.v);let a=e.node(r),o=e.node(i),s=a,c=!1;return a.lim>o.lim&&(s=o,c=!0),t.edges().filter(t=>c===zi(e,e.node(t.v),s)&&c!==zi(e,e.node(t.w),s)).reduce((e,n)=>yi(t,n)<yi(t,e)?n:e)}function Ii(e,t,n,r){let i=n.v,a=n.w;e.removeEdge(i,a),e.setEdge(r.v,r.w,{}),Mi(e),ki(e,t),Li(e,t)}function Li(e,t){let n=e.nodes().find(t=>!e.node(t).parent);if(!n)return;let r=Ti(e,[n]);r=r.slice(1),r.forEach(n=>{let r=e.node(n).parent,i=t.edge(n,r),a=!1;i||(i=t.edge(r,n),a=!0),t.node(n).rank=t.node(r).rank+(a?i.minlen:-i.minlen)})}function Ri(e,t,n){return e.hasEdge(t,n)}function zi(e,t,n){return n.low<=t.lim&&t.lim<=n.lim}var Bi=Vi;function Vi(e){let t=e.graph().ranker;if(typeof t==`function`)return t(e);switch(t){case`network-simplex`:Wi(e);break;case`tight-tree`:Ui(e);break;case`longest-path`:Hi(e);break;case`none`:break;default:Wi(e)}}var Hi=vi;function Ui(e){vi(e),bi(e)}function Wi(e){Di(e)}var Gi=Ki;function Ki(e){let t=Ji(e),n=e.graph();Array.isArray(n.dummyChains)&&n.dummyChains.forEach(n=>{let r=e.node(n),i=r.edgeObj,a=qi(e,t,i.v,i.w),o=a.path,s=a.lca,c=0,l=o[c],u=!0;for(;n!==i.w;){if(r=e.node(n),u){for(;(l=o[c])!==s&&e.node(l).maxRank<r.rank;)c++;l===s&&(u=!1)}if(!u){for(;c<o.length-1&&e.node(o[c+1]).minRank<=r.rank;)c++;l=o[c]}l!==void 0&&e.setParent(n,l),n=e.successors(n)[0]}})}function qi(e,t,n,r){let i=[],a=[],o=Math.min(t[n].low,t[r].low),s=Math.max(t[n].lim,t[r].lim),c;c=n;do c=e.parent(c),i.push(c);while(c&&(t[c].low>o||s>t[c].lim));let l=c,u=r;for(;(u=e.parent(u))!==l;)a.push(u);return{path:i.concat(a.reverse()),lca:l}}function Ji(e){let t={},n=0;function r(i){let a=n;e.children(i).forEach(r),t[i]={low:a,lim:n++}}return e.children(Zr).forEach(r),t}function Yi(e){let t=Ar(e,`root`,{},`_root`),n=Zi(e),r=Object.values(n),i=Br(Math.max,r)-1,a=2*i+1;e.graph().nestingRoot=t,e.edges().forEach(t=>e.edge(t).minlen*=a);let o=Qi(e)+1;e.children(Zr).forEach(r=>{Xi(e,t,a,o,i,n,r)}),e.graph().nodeRankFactor=a}function Xi(e,t,n,r,i,a,o){let s=e.children(o);if(!s.length){o!==t&&e.setEdge(t,o,{weight:0,minlen:n});return}let c=Lr(e,`_bt`),l=Lr(e,`_bb`),u=e.node(o);e.setParent(c,o),u.borderTop=c,e.setParent(l,o),u.borderBottom=l,s.forEach(s=>{Xi(e,t,n,r,i,a,s);let u=e.node(s),d=u.borderTop?u.borderTop:s,f=u.borderBottom?u.borderBottom:s,p=u.borderTop?r:2*r,m=d===f?i-(a[o]??0)+1:1;e.setEdge(c,d,{weight:p,minlen:m,nestingEdge:!0}),e.setEdge(f,l,{weight:p,minlen:m,nestingEdge:!0})}),e.parent(o)||e.setEdge(t,c,{weight:0,minlen:i+(a[o]??0)})}function Zi(e){let t={};function n(r,i){let a=e.children(r);a&&a.length&&a.forEach(e=>n(e,i+1)),t[r]=i}return e.children(Zr).forEach(e=>n(e,1)),t}function Qi(e){return e.edges().reduce((t,n)=>t+e.edge(n).weight,0)}function $i(e){let t=e.graph();e.removeNode(t.nestingRoot),delete t.nestingRoot,e.edges().forEach(t=>{e.edge(t).nestingEdge&&e.removeEdge(t)})}var ea=ta;function ta(e){function t(n){let r=e.children(n),i=e.node(n);if(r.length&&r.forEach(t),i&&Object.hasOwn(i,`minRank`)){i.borderLeft=[],i.borderRight=[];for(let t=i.minRank,r=i.maxRank+1;t<r;++t)na(e,`borderLeft`,`_bl`,n,i,t),na(e,`borderRight`,`_br`,n,i,t)}}e.children(Zr).forEach(t)}function na(e,t,n,r,i,a){let o={width:0,height:0,rank:a,borderType:t},s=i[t][a-1],c=Ar(e,`border`,o,n);i[t][a]=c,e.setParent(c,r),s&&e.setEdge(s,c,{weight:1})}function ra(e){let t=e.graph().rankdir?.toLowerCase();(t===`lr`||t===`rl`)&&aa(e)}function ia(e){let t=e.graph().rankdir?.toLowerCase();(t===`bt`||t===`rl`)&&sa(e),(t===`lr`||t===`rl`)&&(la(e),aa(e))}function aa(e){e.nodes().forEach(t=>oa(e.node(t))),e.edges().forEach(t=>oa(e.edge(t)))}function oa(e){let t=e.width;e.width=e.height,e.height=t}function sa(e){e.nodes().forEach(t=>ca(e.node(t))),e.edges().forEach(t=>{var n;let r=e.edge(t);(n=r.points)==null||n.forEach(ca),Object.hasOwn(r,`y`)&&ca(r)})}function ca(e){e.y=-e.y}function la(e){e.nodes().forEach(t=>ua(e.node(t))),e.edges().forEach(t=>{var n;let r=e.edge(t);(n=r.points)==null||n.forEach(ua),Object.hasOwn(r,`x`)&&ua(r)})}function ua(e){let t=e.x;e.x=e.y,e.y=t}function da(e,t=null){let n={},r=e.nodes().filter(t=>!e.children(t).length),i=r.map(t=>e.node(t).rank),a=qr(Br(Math.max,i)+1).map(()=>[]);function o(t){if(n[t])return;n[t]=!0;let r=e.node(t);a[r.rank].push(t);let i=e.successors(t);i&&[...i].sort((e,t)=>s(e,t)).forEach(o)}r.sort((t,n)=>e.node(t).rank-e.node(n).rank).forEach(o);function s(n,r){return Qr(t,e.node(n),e.node(r))}return a}function fa(e,t){let n=0;for(let r=1;r<t.length;++r)n+=pa(e,t[r-1],t[r]);return n}function pa(e,t,n){let r=Xr(n,n.map((e,t)=>t)),i=t.flatMap(t=>{let n=e.outEdges(t);return n?n.map(t=>({pos:r[t.w],weight:e.edge(t).weight})).sort((e,t)=>e.pos-t.pos):[]}),a=1;for(;a<n.length;)a<<=1;let o=2*a-1;--a;let s=Array(o).fill(0),c=0;return i.forEach(e=>{let t=e.pos+a;s[t]+=e.weight;let n=0;for(;t>0;)t%2&&(n+=s[t+1]),t=t-1>>1,s[t]+=e.weight;c+=e.weight*n}),c}function ma(e,t=[]){return t.map(t=>{let n=e.inEdges(t);if(!n||!n.length)return{v:t};{let r=n.reduce((t,n)=>{let r=e.edge(n),i=e.node(n.v);return{sum:t.sum+r.weight*i.order,weight:t.weight+r.weight}},{sum:0,weight:0});return{v:t,barycenter:r.sum/r.weight,weight:r.weight}}})}function ha(e,t){let n={};return e.forEach((e,t)=>{let r={indegree:0,in:[],out:[],vs:[e.v],i:t};e.barycenter!==void 0&&(r.barycenter=e.barycenter,r.weight=e.weight),n[e.v]=r}),t.edges().forEach(e=>{let t=n[e.v],r=n[e.w];t!==void 0&&r!==void 0&&(r.indegree++,t.out.push(r))}),ga(Object.values(n).filter(e=>!e.indegree))}function ga(e){let t=[];function n(e){return t=>{t.merged||(t.barycenter===void 0||e.barycenter===void 0||t.barycenter>=e.barycenter)&&_a(e,t)}}function r(t){return n=>{n.in.push(t),--n.indegree===0&&e.push(n)}}for(;e.length;){let i=e.pop();t.push(i),i.in.reverse().forEach(n(i)),i.out.forEach(r(i))}return t.filter(e=>!e.merged).map(e=>Jr(e,[`vs`,`i`,`barycenter`,`weight`]))}function _a(e,t){let n=0,r=0;e.weight&&(n+=e.barycenter*e.weight,r+=e.weight),t.weight&&(n+=t.barycenter*t.weight,r+=t.weight),e.vs=t.vs.concat(e.vs),e.barycenter=n/r,e.weight=r,e.i=Math.min(t.i,e.i),t.merged=!0}function va(e,t,n,r,i){let a={},o=null,s=null,c=i;typeof t==`boolean`?(c=t,a={}):t&&(a=t,o=n??null,s=r??null);let l=Hr(e,e=>Object.hasOwn(e,`barycenter`)),u=l.lhs,d=l.rhs.sort((e,t)=>t.i-e.i),f=[],p=0,m=0,h=0;u.sort(ba(s,o,!!c));for(let[e,t]of Object.entries(a)){let n=u.findIndex(t=>t.vs[0]===e);u.splice(n+1,0,t)}h=ya(f,d,h),u.forEach(e=>{h+=e.vs.length,f.push(e.vs),p+=e.barycenter*e.weight,m+=e.weight,h=ya(f,d,h)});let g={vs:f.flat(1)};return m&&(g.barycenter=p/m,g.weight=m),g}function ya(e,t,n){let r;for(;t.length&&(r=t[t.length-1]).i<=n;)t.pop(),e.push(r.vs),n++;return n}function ba(e,t,n){return(r,i)=>{if(r.barycenter<i.barycenter)return-1;if(r.barycenter>i.barycenter)return 1;if(e&&(typeof r.vs[0]==`string`||typeof i.vs[0]==`string`)){let n=Qr(t,e.node(r.vs[0]),e.node(i.vs[0]));if(n!==0)return n}return n?i.i-r.i:r.i-i.i}}function xa(e,t,n,r,i){var a,o;let s=null,c=i;typeof r==`boolean`?(c=r,s=null):r!==void 0&&(s=r);let l=e.children(t),u=e.node(t),d=u?u.borderLeft:void 0,f=u?u.borderRight:void 0,p={};d&&(l=l.filter(e=>e!==d&&e!==f));let m=ma(e,l);m.forEach(t=>{if(e.children(t.v).length){let{result:r}=xa(e,t.v,n,s,c);p[t.v]=r,Object.hasOwn(r,`barycenter`)&&Ca(t,r)}});let h=ha(m,n);Sa(h,p);let g={},_=!1;for(let t=0;t<h.length;t++)for(let n=t+1;n<h.length;n++)if(h[t]&&h[n]&&(a=h[t])!=null&&a.barycenter&&(o=h[n])!=null&&o.barycenter&&h[t]?.barycenter===h[n].barycenter){let r=h[t]?.vs[0]??``,i=h[n]?.vs[0]??``,a=e.node(r),o=e.node(i);if(a.dummy===`edge`&&o.dummy===`edge`&&a.edgeObj?.v===o.edgeObj?.v&&a.edgeObj?.w===o.edgeObj?.w){if(a.edgeLabel.reversed){g[i]=h[t],h.splice(t,1),t--;break}g[r]||(g[r]=h[n],h.splice(n,1),n--)}else _=!0}let v=va(h,g,s,e,c);if(d&&f){v.vs=[d,v.vs,f].flat(1);let t=e.predecessors(d);if(t&&t.length){let n=e.node(t[0]),r=e.predecessors(f),i=e.node(r[0]);Object.hasOwn(v,`barycenter`)||(v.barycenter=0,v.weight=0),v.barycenter=(v.barycenter*v.weight+n.order+i.order)/(v.weight+2),v.weight+=2}}return Object.defineProperty(v,"result",{value:v,enumerable:!1,configurable:!0,writable:!0}),Object.defineProperty(v,"usedBias",{value:_,enumerable:!1,configurable:!0,writable:!0}),v}function Sa(e,t){e.forEach(e=>{e.vs=e.vs.flatMap(e=>t[e]?t[e].vs:e)})}function Ca(e,t){e.barycenter===void 0?(e.barycenter=t.barycenter,e.weight=t.weight):(e.barycenter=(e.barycenter*e.weight+t.barycenter*t.weight)/(e.weight+t.weight),e.weight+=t.weight)}function wa(e,t,n,r){r||=e.nodes();let i=Ta(e),a=new Q({compound:!0}).setGraph({root:i}).setDefaultNodeLabel(t=>e.node(t));return r.forEach(r=>{let o=e.node(r),s=e.parent(r);if(o.rank===t||o.minRank<=t&&t<=o.maxRank){a.setNode(r),a.setParent(r,s||i);let c=e[n](r);c&&c.forEach(t=>{let n=t.v===r?t.w:t.v,i=a.edge(n,r),o=i===void 0?0:i.weight;a.setEdge(n,r,{weight:e.edge(t).weight+o})}),Object.hasOwn(o,`minRank`)&&a.setNode(r,{borderLeft:o.borderLeft[t],borderRight:o.borderRight[t]})}}),a}function Ta(e){let t;for(;e.hasNode(t=Kr(`_root`)););return t}function Ea(e,t,n){let r={},i;n.forEach(n=>{let a=e.parent(n),o,s;for(;a;){if(o=e.parent(a),o?(s=r[o],r[o]=a):(s=i,i=a),s&&s!==a){t.setEdge(s,a);return}a=o}})}function Da(e,t={},n=null){if(typeof t.customOrder==`function`){t.customOrder(e,Da);return}let r=Vr(e),i=Oa(e,qr(1,r+1),`inEdges`),a=Oa(e,qr(r-1,-1,-1),`outEdges`),o=da(e,n);if(Aa(e,o),t.disableOptimalOrderHeuristic)return;let s=1/0,c,l=t.constraints||[];for(let t=0,r=0;r<4;++t,++r){ka(t%2?i:a,t%4>=2,l,n),o=Pr(e);let u=fa(e,o);u<s?(r=0,c=Object.assign({},o),s=u):u===s&&(c=structuredClone(o))}Aa(e,c)}function Oa(e,t,n){let r=new Map,i=(e,t)=>{r.has(e)||r.set(e,[]),r.get(e).push(t)};for(let t of e.nodes()){let n=e.node(t);if(typeof n.rank==`number`&&i(n.rank,t),typeof n.minRank==`number`&&typeof n.maxRank==`number`)for(let e=n.minRank;e<=n.maxRank;e++)e!==n.rank&&i(e,t)}return t.map(function(t){return wa(e,t,n,r.get(t)||[])})}function ka(e,t,n,r){let i=!0,a=new Q;e.forEach(function(e){n.forEach(e=>a.setEdge(e.left,e.right));let{result:o,usedBias:s}=xa(e,e.graph().root,a,r,i);t&&s&&(i=!i),o.vs.forEach((t,n)=>e.node(t).order=n),Ea(e,a,o.vs)})}function Aa(e,t){Object.values(t).forEach(t=>t.forEach((t,n)=>e.node(t).order=n))}function ja(e,t){let n={};function r(t,r){let i=0,a=0,o=t.length,s=r[r.length-1];return r.forEach((t,c)=>{let l=Na(e,t),u=l?e.node(l).order:o;(l||t===s)&&(r.slice(a,c+1).forEach(t=>{let r=e.predecessors(t);r&&r.forEach(r=>{let a=e.node(r),o=a.order;(o<i||u<o)&&!(a.dummy&&e.node(t).dummy)&&Pa(n,r,t)})}),a=c+1,i=u)}),r}return t.length&&t.reduce(r),n}function Ma(e,t){let n={};function r(t){return e.node(t)?.dummy===`border`}if(!e.nodes().some(r))return n;function i(t,r,i,a,o){qr(r,i).forEach(r=>{let i=t[r];if(i!==void 0&&e.node(i).dummy){let t=e.predecessors(i);t&&t.forEach(t=>{if(t===void 0)return;let r=e.node(t);r.dummy&&(r.order<a||r.order>o)&&Pa(n,t,i)})}})}function a(t,n){let a=-1,o=-1,s=0;return n.forEach((c,l)=>{if(r(c)){let t=e.predecessors(c);if(t&&t.length){let r=t[0];if(r===void 0)return;o=e.node(r).order,i(n,s,l,a,o),s=l,a=o}}i(n,s,n.length,o,t.length)}),n}return t.length&&t.reduce(a),n}function Na(e,t){if(e.node(t).dummy){let n=e.predecessors(t);if(n)return n.find(t=>e.node(t).dummy)}}function Pa(e,t,n){if(t>n){let e=t;t=n,n=e}let r=e[t];r||(e[t]=r={}),r[n]=!0}function Fa(e,t,n){if(t>n){let e=t;t=n,n=e}let r=e[t];return r!==void 0&&Object.hasOwn(r,n)}function Ia(e,t,n,r,i){let a={},o={},s={};return t.forEach(e=>{e.forEach((e,t)=>{a[e]=e,o[e]=e,s[e]=t})}),t.forEach(t=>{let c=-1,l=-1,u=!1,d=t,f=t.findIndex(t=>i?.includes(t)||Ga(t,e,i));f>0&&(d=[t[f],...t.slice(0,f),...t.slice(f+1)],u=!0),d.forEach(t=>{let d=r(t);if(d&&d.length){i!=null&&i.includes(t)&&(d=d.filter(t=>Ga(t,e,i)));let r=d.sort((e,t)=>{let n=s[e],r=s[t];return(n===void 0?0:n)-(r===void 0?0:r)}),f=(r.length-1)/2;for(let e=Math.floor(f),i=Math.ceil(f);e<=i;++e){let i=r[e];if(i===void 0)continue;let d=s[i];if(d!==void 0&&o[t]===t&&c<d&&s[i]!==l&&!Fa(n,t,i)){let e=a[i];e!==void 0&&(o[i]=t,o[t]=a[t]=e,c=d,u&&=(c=-1,l=s[i]??-1,!1))}}}})}),{root:a,align:o}}function La(e,t,n,r,i=!1){let a={},o=Ra(e,t,n,i),s=i?`borderLeft`:`borderRight`;function c(e,t){let n=o.nodes().slice(),r={},i=n.pop();for(;i;){if(r[i])e(i);else{r[i]=!0,n.push(i);for(let e of t(i))n.push(e)}i=n.pop()}}function l(e){let t=o.inEdges(e);t?a[e]=t.reduce((e,t)=>{let n=a[t.v]??0,r=o.edge(t);return Math.max(e,n+(r===void 0?0:r))},0):a[e]=0}function u(t){let n=o.outEdges(t),r=1/0;n&&(r=n.reduce((e,t)=>{let n=a[t.w],r=o.edge(t);return Math.min(e,(n===void 0?0:n)-(r===void 0?0:r))},1/0));let i=e.node(t);r!==1/0&&i.borderType!==s&&(a[t]=Math.max(a[t]===void 0?0:a[t],r))}function d(e){return o.predecessors(e)||[]}function f(e){return o.successors(e)||[]}return c(l,d),c(u,f),Object.keys(r).forEach(e=>{let t=n[e];t!==void 0&&(a[e]=a[t]??0)}),a}function Ra(e,t,n,r){let i=new Q,a=e.graph(),o=Ua(a.nodesep,a.edgesep,r);return t.forEach(t=>{let r;t.forEach(t=>{let a=n[t];if(a!==void 0){if(i.setNode(a),r!==void 0){let s=n[r];if(s!==void 0){let n=i.edge(s,a);i.setEdge(s,a,Math.max(o(e,t,r),n||0))}}r=t}})}),i}function za(e,t){return Object.values(t).reduce((t,n)=>{let r=-1/0,i=1/0;Object.entries(n).forEach(([t,n])=>{let a=Wa(e,t)/2;r=Math.max(n+a,r),i=Math.min(n-a,i)});let a=r-i;return a<t[0]&&(t=[a,n]),t},[1/0,null])[1]}function Ba(e,t){let n=Object.values(t),r=Br(Math.min,n),i=Br(Math.max,n);[`u`,`d`].forEach(n=>{[`l`,`r`].forEach(a=>{let o=n+a,s=e[o];if(!s||s===t)return;let c=Object.values(s),l=r-Br(Math.min,c);a!==`l`&&(l=i-Br(Math.max,c)),l&&(e[o]=Yr(s,e=>e+l))})})}function Va(e,t=void 0){let n=e.ul;return n?Yr(n,(n,r)=>{if(t){let n=e[t.toLowerCase()];if(n&&n[r]!==void 0)return n[r]}let i=Object.values(e).map(e=>{let t=e[r];return t===void 0?0:t}).sort((e,t)=>e-t);return((i[1]??0)+(i[2]??0))/2}):{}}function Ha(e,t){let n=Pr(e),r=Object.assign(ja(e,n),Ma(e,n)),i={},a;return[`u`,`d`].forEach(o=>{a=o===`u`?n:Object.values(n).reverse(),[`l`,`r`].forEach(n=>{n===`r`&&(a=a.map(e=>Object.values(e).reverse()));let s=Ia(e,a,r,t=>(o===`u`?e.predecessors(t):e.successors(t))||[],t),c=La(e,a,s.root,s.align,n===`r`);n===`r`&&(c=Yr(c,e=>-e)),i[o+n]=c})}),Ba(i,za(e,i)),Va(i,e.graph().align)}function Ua(e,t,n){return(r,i,a)=>{let o=r.node(i),s=r.node(a),c=0,l;if(c+=o.width/2,Object.hasOwn(o,`labelpos`))switch(o.labelpos.toLowerCase()){case`l`:l=-o.width/2;break;case`r`:l=o.width/2}if(l&&(c+=n?l:-l),l=void 0,c+=(o.dummy?t:e)/2,c+=(s.dummy?t:e)/2,c+=s.width/2,Object.hasOwn(s,`labelpos`))switch(s.labelpos.toLowerCase()){case`l`:l=s.width/2;break;case`r`:l=-s.width/2}return l&&(c+=n?l:-l),c}}function Wa(e,t){return e.node(t).width}function Ga(e,t,n){if(!n)return!1;let r=t.node(e)?.edgeObj;if(!r||t.node(e).edgeLabel.reversed)return!1;let i=n.indexOf(r?.v),a=n.indexOf(r?.w);return i!==-1&&a!==-1&&i===(a+1)%n.length||i===(a-1)%n.length}function Ka(e,t){e=Mr(e),qa(e),Object.entries(Ha(e,t)).forEach(([t,n])=>e.node(t).x=n)}function qa(e){let t=Pr(e),n=e.graph(),r=n.ranksep,i=n.rankalign,a=0;t.forEach(t=>{let n=t.reduce((t,n)=>{let r=e.node(n).height??0;return t>r?t:r},0);t.forEach(t=>{let r=e.node(t);r.y=i===`top`?a+r.height/2:i===`bottom`?a+n-r.height/2:a+n/2}),a+=n+r})}var Ja=new WeakMap;function Ya(e,t={}){return Za(e,Wr,t),e}function Xa(e,t,n){let r=t;for(;r!==void 0;){let t=e.parent(r);if(t===n)return r;r=t}}function Za(e,t,n){let r=e.nodes().filter(t=>e.children(t).length),i={};r.forEach(r=>{let a=e.node(r);if(a&&a.rankdir){let o=new Q({multigraph:!0,compound:!0});o.setGraph({rankdir:a.rankdir});let s=e.children(r);s.forEach(t=>{let n={...e.node(t)};o.setNode(t,n);let i=e.parent(t);i&&i!==r&&s.includes(i)&&o.setParent(t,i)});let c=new Set;e.edges().forEach(t=>{let n=Xa(e,t.v,r),i=Xa(e,t.w,r);if(n===t.v&&i===t.w)o.setEdge(t,{...e.edge(t)});else if(n&&i&&n!==i){let r=`${n}\0${i}`;c.has(r)||(c.add(r),o.setEdge(n,i,{...e.edge(t)}))}}),Za(o,t,n);let l=lo(o);$a(l,t,n,null),eo(o,l);let u=1/0,d=1/0,f=-1/0,p=-1/0;o.nodes().forEach(e=>{if(e===r)return;let t=o.node(e);t&&typeof t.x==`number`&&typeof t.y==`number`&&typeof t.width==`number`&&typeof t.height==`number`&&(u=Math.min(u,t.x-t.width/2),f=Math.max(f,t.x+t.width/2),d=Math.min(d,t.y-t.height/2),p=Math.max(p,t.y+t.height/2))}),isFinite(u)&&isFinite(d)&&isFinite(f)&&isFinite(p)||(u=d=0,f=p=0);let m=f-u,h=p-d;i[r]={minX:u,minY:d,maxX:f,maxY:p,width:m,height:h,offsetX:u,offsetY:d},a._dagreClusterSubgraph=o}});let a=[],o=t=>{let n=[],r=(e.children(t)||[]).filter(e=>e!==t);for(;r.length>0;){let t=r.shift();n.push(t),(e.children(t)||[]).filter(e=>e!==t).forEach(e=>r.push(e))}return n},s=new Map;r.forEach(t=>{let n=e.node(t);n&&n.rankdir&&i[t]&&s.set(t,(e.children(t)||[]).filter(e=>e!==t))});let c=new Set([...s.values()].flat()),l=new Map;s.forEach((e,t)=>{c.has(t)||l.set(t,o(t))});let u=new Set([...l.values()].flat()),d=e=>{for(let[t,n]of l)if(n.includes(e))return t;return e},f=[];e.edges().forEach(t=>{(u.has(t.v)||u.has(t.w))&&f.push({edge:t,label:e.edge(t)})});let p=new Map;u.forEach(t=>{let n=e.parent(t);p.set(t,typeof n==`string`?n:void 0)}),l.forEach((t,n)=>{let r=e.node(n),o=[];t.forEach(t=>{let n=e.node(t);n&&(o.push({id:t,node:n,parent:p.get(t)}),e.removeNode(t))});let s=f.filter(({edge:e})=>t.includes(e.v)||t.includes(e.w)),c=i[n];r&&(a.push({clusterId:n,subgraph:r._dagreClusterSubgraph,bounds:c,children:t,removedNodes:o,removedEdges:s}),r.width=c.width,r.height=c.height)});let m=new Set;f.forEach(({edge:t,label:n})=>{let r=d(t.v),i=d(t.w);if(r!==i&&e.hasNode(r)&&e.hasNode(i)){let t=`${r}\0${i}`;m.has(t)||(m.add(t),e.setEdge(r,i,{...n,width:0,height:0}))}});let h=lo(e),g=$a(h,t,n,Ja.get(e)??null);Ja.set(e,g),eo(e,h),m.forEach(t=>{let n=t.indexOf(`\0`),r=t.slice(0,n),i=t.slice(n+1);e.hasEdge(r,i)&&e.removeEdge(r,i)}),a.forEach(({clusterId:t,subgraph:n,bounds:r,removedNodes:i,removedEdges:a})=>{let o=e.node(t),s=o?.x??0,c=o?.y??0,l=(r.minX+r.maxX)/2,u=(r.minY+r.maxY)/2;i.forEach(({id:t,node:n,parent:r})=>{e.setNode(t,n),r!==void 0&&e.setParent(t,r)}),a.forEach(({edge:t,label:n})=>{e.setEdge(t,n)}),n.nodes().forEach(r=>{if(r===t)return;let i=n.node(r),a=e.node(r);a&&i&&typeof i.x==`number`&&typeof i.y==`number`&&(a.x=s+(i.x-l),a.y=c+(i.y-u))}),Qa(e,n,s-l,c-u),delete o._dagreClusterSubgraph}),r.forEach(t=>{let n=e.node(t),r=i[t];if(n&&n.rankdir&&n._dagreClusterSubgraph&&r){let i=n._dagreClusterSubgraph,a=n.x??0,o=n.y??0,s=(r.minX+r.maxX)/2,c=(r.minY+r.maxY)/2;i.nodes().forEach(n=>{if(n===t)return;let r=i.node(n),l=e.node(n);if(l&&r&&typeof r.x==`number`&&typeof r.y==`number`){let e=r.x-s,t=r.y-c;l.x=a+e,l.y=o+t}}),Qa(e,i,a-s,o-c),delete n._dagreClusterSubgraph}})}function Qa(e,t,n,r){t.edges().forEach(i=>{if(!e.hasEdge(i))return;let a=t.edge(i),o=e.edge(i);o.points=a.points.map(e=>({x:e.x+n,y:e.y+r})),Object.hasOwn(a,`x`)&&(o.x=a.x+n,o.y=a.y+r)})}function $a(e,t,n,r=null){var i,a;let o=n?.useDynamic!==!1,s=o&&(i=r?.graph)!=null?i:null,c=o&&(a=r?.rawNodes)!=null?a:null;t(`    makeSpaceForEdgeLabels`,()=>uo(e)),t(`    removeSelfEdges`,()=>bo(e)),t(`    acyclic`,()=>di(e,s)),t(`    nestingGraph.run`,()=>Yi(e)),t(`    rank`,()=>Bi(Mr(e))),t(`    injectEdgeLabelProxies`,()=>fo(e)),t(`    removeEmptyRanks`,()=>Ir(e)),t(`    nestingGraph.cleanup`,()=>$i(e)),t(`    normalizeRanks`,()=>Fr(e)),t(`    assignRankMinMax`,()=>po(e)),t(`    removeEdgeLabelProxies`,()=>mo(e)),t(`    normalize.run`,()=>hi(e)),t(`    parentDummyChains`,()=>Gi(e)),t(`    addBorderSegments`,()=>ea(e)),t(`    order`,()=>Da(e,n,c)),t(`    insertSelfEdges`,()=>xo(e)),t(`    adjustCoordinateSystem`,()=>ra(e)),t(`    position`,()=>Ka(e,n.corePath)),t(`    positionSelfEdges`,()=>So(e));let l=JSON.parse(JSON.stringify(e._nodes));return t(`    removeBorderNodes`,()=>yo(e)),t(`    normalize.undo`,()=>_i(e)),t(`    fixupEdgeLabelCoords`,()=>_o(e)),t(`    undoCoordinateSystem`,()=>ia(e)),t(`    translateGraph`,()=>ho(e)),t(`    assignNodeIntersects`,()=>go(e)),t(`    reversePoints`,()=>vo(e)),t(`    acyclic.undo`,()=>pi(e)),{graph:e,rawNodes:l}}function eo(e,t){e.nodes().forEach(n=>{let r=e.node(n),i=t.node(n);r&&(r.x=i.x,r.y=i.y,r.order=i.order,r.rank=i.rank,t.children(n).length&&(r.width=i.width,r.height=i.height))}),e.edges().forEach(n=>{let r=e.edge(n),i=t.edge(n);r.points=i.points,Object.hasOwn(i,`x`)&&(r.x=i.x,r.y=i.y)}),e.graph().width=t.graph().width,e.graph().height=t.graph().height}var to=[`nodesep`,`edgesep`,`ranksep`,`marginx`,`marginy`],no={ranksep:50,edgesep:20,nodesep:50,rankdir:`TB`,rankalign:`center`},ro=[`acyclicer`,`ranker`,`rankdir`,`align`,`rankalign`],io=[`width`,`height`,`rank`],ao={width:0,height:0},oo=[`minlen`,`weight`,`width`,`height`,`labeloffset`],so={minlen:1,weight:1,width:0,height:0,labeloffset:10,labelpos:`r`},co=[`labelpos`];function lo(e){let t=new Q({multigraph:!0,compound:!0}),n=wo(e.graph());return t.setGraph(Object.assign({},no,Co(n,to),Jr(n,ro))),e.nodes().forEach(n=>{let r=Co(wo(e.node(n)),io);Object.keys(ao).forEach(e=>{r[e]===void 0&&(r[e]=ao[e])}),t.setNode(n,r);let i=e.parent(n);i!==void 0&&t.setParent(n,i)}),e.edges().forEach(n=>{let r=wo(e.edge(n));t.setEdge(n,Object.assign({},so,Co(r,oo),Jr(r,co)))}),t}function uo(e){let t=e.graph();t.ranksep/=2,e.edges().forEach(n=>{let r=e.edge(n);r.minlen*=2,(r.labelpos??`r`).toLowerCase()!==`c`&&(t.rankdir===`TB`||t.rankdir===`BT`?r.width+=r.labeloffset:r.height+=r.labeloffset)})}function fo(e){e.edges().forEach(t=>{let n=e.edge(t);if(n.width&&n.height){let n=e.node(t.v);Ar(e,`edge-proxy`,{rank:(e.node(t.w).rank-n.rank)/2+n.rank,e:t},`_ep`)}})}function po(e){let t=0;e.nodes().forEach(n=>{let r=e.node(n);r.borderTop&&(r.minRank=e.node(r.borderTop).rank,r.maxRank=e.node(r.borderBottom).rank,t=Math.max(t,r.maxRank))}),e.graph().maxRank=t}function mo(e){e.nodes().forEach(t=>{let n=e.node(t);if(n.dummy===`edge-proxy`){let r=n;e.edge(r.e).labelRank=n.rank,e.removeNode(t)}})}function ho(e){let t=1/0,n=0,r=1/0,i=0,a=e.graph(),o=a.marginx||0,s=a.marginy||0;function c(e){let a=e.x,o=e.y,s=e.width,c=e.height;t=Math.min(t,a-s/2),n=Math.max(n,a+s/2),r=Math.min(r,o-c/2),i=Math.max(i,o+c/2)}e.nodes().forEach(t=>c(e.node(t))),e.edges().forEach(t=>{let n=e.edge(t);Object.hasOwn(n,`x`)&&c(n)}),t-=o,r-=s,e.nodes().forEach(n=>{let i=e.node(n);i.x-=t,i.y-=r}),e.edges().forEach(n=>{let i=e.edge(n);i.points.forEach(e=>{e.x-=t,e.y-=r}),Object.hasOwn(i,`x`)&&(i.x-=t),Object.hasOwn(i,`y`)&&(i.y-=r)}),a.width=n-t+o,a.height=i-r+s}function go(e){e.edges().forEach(t=>{if(t.v===t.w)return;let n=e.edge(t),r=e.node(t.v),i=e.node(t.w),a,o;n.points?(a=n.points[0],o=n.points[n.points.length-1]):(n.points=[],a=i,o=r),n.points.unshift(Nr(r,a)),n.points.push(Nr(i,o))})}function _o(e){e.edges().forEach(t=>{let n=e.edge(t);if(Object.hasOwn(n,`x`))switch((n.labelpos===`l`||n.labelpos===`r`)&&(n.width-=n.labeloffset),n.labelpos){case`l`:n.x-=n.width/2+n.labeloffset;break;case`r`:n.x+=n.width/2+n.labeloffset}})}function vo(e){e.edges().forEach(t=>{let n=e.edge(t);n.reversed&&n.points.reverse()})}function yo(e){e.nodes().forEach(t=>{if(e.children(t).length){let n=e.node(t),r=e.node(n.borderTop),i=e.node(n.borderBottom),a=e.node(n.borderLeft[n.borderLeft.length-1]),o=e.node(n.borderRight[n.borderRight.length-1]);n.width=Math.abs(o.x-a.x),n.height=Math.abs(i.y-r.y),n.x=a.x+n.width/2,n.y=r.y+n.height/2}}),e.nodes().forEach(t=>{e.node(t).dummy===`border`&&e.removeNode(t)})}function bo(e){e.edges().forEach(t=>{if(t.v===t.w){let n=e.node(t.v);n.selfEdges||=[],n.selfEdges.push({e:t,label:e.edge(t)}),e.removeEdge(t)}})}function xo(e){Pr(e).forEach(t=>{let n=0;t.forEach((t,r)=>{let i=e.node(t);typeof i.rank!=`number`&&(i.rank=0),i.order=r+n,(i.selfEdges||[]).forEach(t=>{Ar(e,`selfedge`,{width:t.label.width,height:t.label.height,rank:i.rank,order:r+ ++n,e:t.e,edgeLabel:t.label},`_se`),Array.isArray(t.label.points)&&t.label.points.length===7||(t.label.points=[{x:0,y:-10},{x:0,y:-10},{x:0,y:0},{x:0,y:10},{x:0,y:10},{x:0,y:0},{x:0,y:0}])}),delete i.selfEdges})})}function So(e){e.nodes().forEach(t=>{let n=e.node(t),r=e=>typeof e==`number`&&isFinite(e);if(n.dummy===`selfedge`){let i=n,a=e.node(i.e.v),o=r(a?.x)?a.x:0,s=r(a?.y)?a.y:0,c=r(a?.width)?a.width:0,l=r(a?.height)?a.height:0,u=r(n.x)?n.x:o,d=r(n.y)?n.y:s,f=c/2,p=l/2;i.edgeLabel.points=[{x:u+f,y:d-p},{x:u+f,y:d-p},{x:u,y:d},{x:u-f,y:d+p},{x:u-f,y:d+p},{x:u,y:d},{x:u,y:d}],i.edgeLabel.x=u,i.edgeLabel.y=d,e.setEdge(i.e,i.edgeLabel),e.removeNode(t)}else n&&Array.isArray(n.selfEdges)&&n.selfEdges.forEach(e=>{if(!Array.isArray(e.label.points)||e.label.points.length!==7){let t=r(n.x)?n.x:0,i=r(n.y)?n.y:0,a=r(n.width)?n.width:0,o=r(n.height)?n.height:0,s=a/2,c=o/2;e.label.points=[{x:t+s,y:i-c},{x:t+s,y:i-c},{x:t,y:i},{x:t-s,y:i+c},{x:t-s,y:i+c},{x:t,y:i},{x:t,y:i}]}})})}function Co(e,t){return Yr(Jr(e,t),Number)}function wo(e){let t={};return e&&Object.entries(e).forEach(([e,n])=>{typeof e==`string`&&(e=e.toLowerCase()),t[e]=n}),t}function To(e){let t=Pr(e),n=new Q({compound:!0,multigraph:!0}).setGraph({});return e.nodes().forEach(t=>{n.setNode(t,{label:t}),n.setParent(t,`layer`+e.node(t).rank)}),e.edges().forEach(e=>n.setEdge(e.v,e.w,{},e.name)),t.forEach((e,t)=>{let r=`layer`+t;n.setNode(r,{rank:`same`}),e.reduce((e,t)=>(n.setEdge(e,t,{style:`invis`}),t))}),n}var Eo={graphlib:Gn,version:$r,layout:Ya,debug:To,util:{time:Ur,notime:Wr}};function Do(e,t=new Set){let n=e.filter(e=>e.iteration==null&&!e.parentRef),r=new Set(n.map(e=>e.ref)),i=n.map(e=>({ref:e.ref,label:e.name||e.ref,type:e.type,status:e.status??null,iterations:0,iterationStatuses:{}})),a=new Map(i.map(e=>[e.ref,e])),o=[],s=[];for(let n of e){if(n.parentRef==null&&n.iteration==null)continue;let e=a.get(n.parentRef??``);if(!e)continue;e.iterations+=1;let r=n.status??`PENDING`;if(e.iterationStatuses[r]=(e.iterationStatuses[r]??0)+1,t.has(e.ref)){let t=n.ref;o.push({ref:t,label:`${e.ref}[${n.iteration??`?`}]`,type:n.type,status:n.status??null,iterations:0,iterationStatuses:{}}),s.push({from:e.ref,to:t})}}let c=n.flatMap(e=>e.dependsOn.filter(e=>r.has(e)).map(t=>({from:t,to:e.ref})));return{nodes:[...i,...o],edges:[...c,...s]}}function Oo(e){return e.nodes.filter(e=>e.iterations>0).map(e=>e.ref)}function ko(e){return`${e.nodes.map(e=>e.ref).join(`
`)}\u0000${e.edges.map(e=>`${e.from}\u0001${e.to}`).join(`
`)}`}function Ao(e){let t=new Eo.graphlib.Graph;t.setGraph({rankdir:`LR`,nodesep:18,ranksep:42,marginx:8,marginy:8}),t.setDefaultEdgeLabel(()=>({}));for(let n of e.nodes)t.setNode(n.ref,{width:184,height:44});for(let n of e.edges)t.setEdge(n.from,n.to);Eo.layout(t);let n=e.nodes.map(e=>{let n=t.node(e.ref);return{...e,x:n.x,y:n.y,width:184,height:44}}),r=e.edges.map(e=>({...e,points:t.edge(e.from,e.to).points??[]})),i=t.graph();return{nodes:n,edges:r,width:i.width??0,height:i.height??0}}function jo(e){return JSON.stringify(e)}function $(e,t,n){return`${e} ${t} ${typeof n==`string`?jo(n):String(n)}`}function Mo(e,t){let n=e.trim();return n?n.includes(t)?n:`${/\bor\b/i.test(n)?`(${n})`:n} and ${t}`:t}var No={"1h":36e5,"24h":864e5,"7d":6048e5};function Po(e,t){let n=[];e.statuses.length===1?n.push($(`status`,`eq`,e.statuses[0])):e.statuses.length>1&&n.push(`(${e.statuses.map(e=>$(`status`,`eq`,e)).join(` or `)})`),e.workflow&&n.push($(`workflow_key`,`eq`,e.workflow));for(let t of e.tags)t.key&&n.push($(`tags.${t.key}`,`eq`,t.value));return e.range in No?n.push($(`created_at`,`ge`,new Date(t.getTime()-No[e.range]).toISOString())):e.range===`custom`&&(e.customFrom&&n.push($(`created_at`,`ge`,new Date(e.customFrom).toISOString())),e.customTo&&n.push($(`created_at`,`lt`,new Date(e.customTo).toISOString()))),n.join(` and `)}function Fo(){return{path:location.pathname,query:new URLSearchParams(location.search)}}var Io=Ge(Fo());addEventListener(`popstate`,()=>Io.set(Fo()));function Lo(e,t=!1){e!==location.pathname+location.search&&(t?history.replaceState(null,``,e):history.pushState(null,``,e),Io.set(Fo()),t||scrollTo(0,0))}function Ro(){return W(Io)}function zo(e){let t=e.target.closest(`a`);if(!t||e.defaultPrevented||e.button!==0||e.metaKey||e.ctrlKey||e.shiftKey||e.altKey)return;let n=new URL(t.getAttribute(`href`)??``,location.href);t.getAttribute(`target`)||t.hasAttribute(`download`)||n.origin!==location.origin||n.pathname.startsWith(`/graphql`)||n.pathname.startsWith(`/exports`)||(e.preventDefault(),Lo(n.pathname+n.search))}var Bo=[`CREATED_AT`,`UPDATED_AT`,`STARTED_AT`,`FINISHED_AT`,`PRIORITY`,`STATUS`,`WORKFLOW_KEY`,`DURATION`],Vo=[25,50,100],Ho=[`status`,`workflow`,`subject`,`priority`,`tags`,`created`,`duration`,`errors`],Uo=[...Ho,`id`,`initiatedBy`,`started`,`finished`,`tenant`],Wo={filter:``,search:``,orderField:`CREATED_AT`,direction:`DESC`,size:50,after:null,before:null,columns:Ho};function Go(e){return Uo.includes(e)||/^tags\.[A-Za-z0-9_.:-]+$/.test(e)}function Ko(e){let t=typeof e==`string`?new URLSearchParams(e):e,[n,r]=(t.get(`order`)??``).split(`.`),i=Number(t.get(`size`)),a=(t.get(`cols`)??``).split(`,`).filter(Go);return{filter:t.get(`filter`)??``,search:t.get(`q`)??``,orderField:Bo.includes(n)?n:Wo.orderField,direction:r===`ASC`||r===`DESC`?r:Wo.direction,size:Vo.includes(i)?i:Wo.size,after:t.get(`after`),before:t.get(`after`)?null:t.get(`before`),columns:a.length?a:Wo.columns}}function qo(e){let t=new URLSearchParams;return e.filter&&t.set(`filter`,e.filter),e.search&&t.set(`q`,e.search),(e.orderField!==Wo.orderField||e.direction!==Wo.direction)&&t.set(`order`,`${e.orderField}.${e.direction}`),e.size!==Wo.size&&t.set(`size`,String(e.size)),e.after?t.set(`after`,e.after):e.before&&t.set(`before`,e.before),e.columns.join(`,`)!==Wo.columns.join(`,`)&&t.set(`cols`,e.columns.join(`,`)),t.toString()}function Jo(e,t){let n=`after`in t||`before`in t;return{...e,...n?{}:{after:null,before:null},...t}}function Yo(e,t){return Jo(e,{orderField:t,direction:e.orderField===t&&e.direction===`DESC`?`ASC`:`DESC`})}function Xo(e,t){let n=e.reduce((e,t)=>t.createdAt>e?t.createdAt:e,``);return{rows:e,pending:[],watermark:n>t?n:t}}function Zo(e){return new Date(e).getTime()}function Qo(e,t,n){if(!t.length)return e;let r=new Map;for(let e of t)r.set(e.id,e);let i=e.rows.map(e=>r.get(e.id)??e),a=new Set(i.map(e=>e.id)),o=e.pending.map(e=>r.get(e.id)??e),s=new Set(o.map(e=>e.id)),c=[...r.values()].filter(t=>!a.has(t.id)&&!s.has(t.id)&&Zo(t.createdAt)>Zo(e.watermark));return c.sort((e,t)=>Zo(t.createdAt)-Zo(e.createdAt)),n.autoInsert?(i=[...o,...c,...i].slice(0,n.size),o=[]):o=[...c,...o],{...e,rows:i,pending:o}}function $o(e,t){return e.pending.length?{...e,rows:[...e.pending,...e.rows].slice(0,t),pending:[]}:e}var es=[`PENDING`,`BLOCKED`,`RUNNING`,`PAUSED`,`CANCELING`,`COMPLETED`,`FAILED`,`TIMED_OUT`,`CANCELED`,`TERMINATED`,`ABANDONED`],ts=1e3,ns={status:`STATUS`,workflow:`WORKFLOW_KEY`,priority:`PRIORITY`,created:`CREATED_AT`,duration:`DURATION`,started:`STARTED_AT`,finished:`FINISHED_AT`},rs={status:`Status`,workflow:`Workflow`,subject:`Subject`,priority:`Priority`,tags:`Tags`,created:`Created`,duration:`Duration`,errors:`Errors`,id:`Id`,initiatedBy:`Started by`,started:`Started`,finished:`Finished`,tenant:`Tenant`},is={status:[118,0],workflow:[200,2],subject:[130,1.4],priority:[84,0],tags:[130,1.4],created:[110,0],duration:[90,0],errors:[64,0],id:[290,0],initiatedBy:[150,1],started:[110,0],finished:[110,0],tenant:[110,.6]},as=36,os=e=>is[e]??[120,1];function ss(e){return[`${as}px`,...e.map(e=>{let[t,n]=os(e);return n?`minmax(${t}px, ${n}fr)`:`${t}px`})].join(` `)}function cs(e){return e.reduce((e,t)=>e+os(t)[0],as)}var ls=`flowdeck.views`,us=`flowdeck.defaultView`;function ds(){try{return JSON.parse(localStorage.getItem(ls)??`[]`)}catch{return[]}}function fs(e){let t=new Date(Date.now()-864e5).toISOString(),n=(e,t)=>({name:e,query:qo(Ko(new URLSearchParams({filter:t})))});return[n(`Running`,$(`status`,`eq`,`RUNNING`)),n(`Failed in the last 24 h`,`${$(`status`,`eq`,`FAILED`)} and ${$(`finished_at`,`ge`,t)}`),n(`Blocked`,$(`status`,`eq`,`BLOCKED`)),n(`Started by me`,$(`initiated_by`,`eq`,`apikey:${e}`))]}function ps(e,t){return e.tags.find(e=>e.key===t)?.value??``}function ms(){let{query:e}=Ro(),t=W(ln);return L(()=>{if(!e.toString()){let e=localStorage.getItem(us),t=ds().find(t=>t.name===e);t?.query&&Lo(`/?${t.query}`,!0)}},[e]),q(`main`,{class:`page`,children:q(hs,{state:z(()=>Ko(e),[e]),setState:B(e=>{let t=qo(e);Lo(t?`/?${t}`:`/`,!0)},[]),me:t?.name??``})})}function hs({state:e,setState:t,me:n,fixedFilter:r=``}){let i=[r,e.filter].filter(Boolean).map(e=>/\bor\b/i.test(e)?`(${e})`:e).join(` and `),[a,o]=I(null),[s,c]=I(null),[l,u]=I(null),[d,f]=I(!1),[p,m]=I(new Set),[h,g]=I(!1),[_,v]=I(!1),[y,b]=I(null),[x,S]=I(0),C=xt(),w=!_&&C,T=R(!1);T.current=!e.after&&!e.before&&p.size===0&&!h&&e.orderField===`CREATED_AT`&&e.direction===`DESC`;let E=z(()=>({filter:i||null,search:e.search||null,orderBy:[{field:e.orderField,direction:e.direction}],...e.before?{last:e.size,before:e.before}:{first:e.size,after:e.after}}),[i,e.search,e.orderField,e.direction,e.size,e.after,e.before]);L(()=>{let e=!0;f(!0);let t=new Date().toISOString();return K(kt,E).then(n=>{if(!e)return;let r=n.runs.edges.map(e=>e.node);o(Xo(r,t));let i=n.runs.pageInfo;c({total:n.runs.totalCount,hasNext:i.hasNextPage,hasPrev:i.hasPreviousPage,start:i.startCursor??null,end:i.endCursor??null}),u(null),b(Date.now())}).catch(t=>e&&(u(t),o(null))).finally(()=>e&&f(!1)),()=>{e=!1}},[E,x]);let[ee,D]=I(null),O=R({last:0,timer:null}),k=B(()=>{let e=O.current;if(e.timer)return;let t=Math.max(0,e.last+1e4-Date.now());e.timer=setTimeout(()=>{e.timer=null,e.last=Date.now(),K(At,{filter:r||null}).then(e=>D(e.runStats)).catch(()=>void 0)},t)},[r]);L(()=>(k(),()=>{O.current.timer&&clearTimeout(O.current.timer),O.current.timer=null}),[k]),L(()=>{if(!w||l)return;let t=pt(t=>{o(n=>n&&Qo(n,t,{autoInsert:T.current,size:e.size})),b(Date.now()),k()},ts),n=rt(jt,{filter:i||null},e=>t.push(e.runChanged));return()=>{n(),t.cancel()}},[w,i,l===null,e.size,k]);let te=R(w);L(()=>{w&&!te.current&&S(e=>e+1),te.current=w},[w]);let ne=a?.rows??[],re=B(e=>{m(t=>{let n=new Set(t);return n.has(e)?n.delete(e):n.add(e),n}),g(!1)},[]),A=R(e);A.current=e;let ie=B(e=>t(Jo(A.current,{filter:Mo(A.current.filter,e)})),[t]),ae=B(e=>ie($(`status`,`eq`,e)),[ie]);return q(`div`,{class:`runs-page`,children:[q(`div`,{class:`page-head`,children:[r?q(`span`,{}):q(`h1`,{children:`Runs`}),q(_s,{paused:_,hidden:!C,updatedAt:y,onToggle:()=>v(!_)})]}),!r&&q(Ss,{state:e,setState:t,me:n}),q(ys,{state:e,setState:t,error:l}),q(vs,{stats:ee,onPick:ae}),q(`div`,{class:`toolbar`,children:[a&&a.pending.length>0&&q(`button`,{type:`button`,class:`pill`,onClick:()=>o($o(a,e.size)),children:[`+`,a.pending.length,` new`]}),q(xs,{state:e,setState:t}),q(Es,{filter:i,state:e})]}),(p.size>0||h)&&q(Ts,{ids:h?null:[...p],filter:i,total:s?.total??0,allMatching:h,onAllMatching:()=>g(!0),onDone:()=>{m(new Set),g(!1),S(e=>e+1)}}),l?null:q(`div`,{class:`table-wrap`,"aria-busy":d,children:[q(`table`,{class:`runs`,role:`table`,style:{"--runs-columns":ss(e.columns),minWidth:`${cs(e.columns)}px`},children:[q(`thead`,{role:`rowgroup`,children:q(`tr`,{role:`row`,children:[q(`th`,{class:`check`,role:`columnheader`,children:q(`input`,{type:`checkbox`,"aria-label":`Select every run on this page`,checked:ne.length>0&&ne.every(e=>p.has(e.id)),onChange:e=>m(e.currentTarget.checked?new Set(ne.map(e=>e.id)):new Set)})}),e.columns.map(n=>{let r=ns[n],i=rs[n]??n;if(!r)return q(`th`,{"data-col":n,role:`columnheader`,children:i},n);let a=e.orderField===r;return q(`th`,{"data-col":n,role:`columnheader`,"aria-sort":a?e.direction===`ASC`?`ascending`:`descending`:`none`,children:q(`button`,{type:`button`,class:`sort`,onClick:()=>t(Yo(e,r)),children:[i,` `,a?e.direction===`ASC`?`▲`:`▼`:``]})},n)})]})}),q(`tbody`,{role:`rowgroup`,children:ne.map(t=>q(gs,{row:t,columns:e.columns,selected:p.has(t.id)||h,onToggle:re,onAdd:ie},t.id))})]}),a&&ne.length===0&&q(`p`,{class:`empty`,children:`No runs match.`})]}),q(`div`,{class:`pager`,children:[q(`span`,{class:`muted`,children:s?`${s.total} runs`:``}),q(`label`,{children:[`Page size`,` `,q(`select`,{value:e.size,onChange:n=>t(Jo(e,{size:Number(n.currentTarget.value)})),children:Vo.map(e=>q(`option`,{value:e,children:e},e))})]}),q(`button`,{type:`button`,disabled:!s?.hasPrev,onClick:()=>t(Jo(e,{before:s?.start??null,after:null})),children:`← Newer`}),q(`button`,{type:`button`,disabled:!s?.hasNext,onClick:()=>t(Jo(e,{after:s?.end??null,before:null})),children:`Older →`})]})]})}var gs=Mn(function({row:e,columns:t,selected:n,onToggle:r,onAdd:i}){let a=t=>{switch(t){case`status`:return q(`button`,{type:`button`,class:`cell-value`,title:`Add to the filter`,onClick:()=>i($(`status`,`eq`,e.status)),children:q(_t,{status:e.status})});case`workflow`:return q(b,{children:[q(`a`,{href:`/runs/${encodeURIComponent(e.id)}`,class:`run-link`,children:e.workflow.name}),` `,q(`button`,{type:`button`,class:`cell-value muted`,title:`Add to the filter`,onClick:()=>i($(`workflow_key`,`eq`,e.workflow.key)),children:[e.workflow.key,` v`,e.workflowVersion]})]});case`subject`:return e.subject?q(`button`,{type:`button`,class:`cell-value`,title:`Add to the filter`,onClick:()=>i($(`subject_id`,`eq`,e.subject.id)),children:e.subject.name??e.subject.id}):q(`span`,{class:`muted`,children:`—`});case`priority`:return q(`button`,{type:`button`,class:`cell-value`,onClick:()=>i($(`priority`,`eq`,e.priority)),children:e.priority});case`tags`:return e.tags.map(e=>q(`button`,{type:`button`,class:`tag cell-value`,onClick:()=>i($(`tags.${e.key}`,`eq`,e.value)),children:[e.key,`=`,e.value]},e.key));case`created`:return q(J,{at:e.createdAt});case`started`:return q(J,{at:e.startedAt});case`finished`:return q(J,{at:e.finishedAt});case`duration`:return ut(e.durationSeconds);case`errors`:return e.errorCount?q(`span`,{class:`err`,title:e.error?.message??``,children:e.errorCount}):q(`span`,{class:`muted`,children:`0`});case`id`:return q(`code`,{children:e.id});case`initiatedBy`:return e.initiatedBy;case`tenant`:return e.tenant??`—`;default:if(t.startsWith(`tags.`)){let n=ps(e,t.slice(5));return n?q(`button`,{type:`button`,class:`cell-value`,onClick:()=>i($(t,`eq`,n)),children:n}):q(`span`,{class:`muted`,children:`—`})}return null}};return q(`tr`,{"data-run-id":e.id,"data-status":e.status,class:n?`selected`:``,role:`row`,children:[q(`td`,{class:`check`,role:`cell`,children:q(`input`,{type:`checkbox`,"aria-label":`Select run ${e.id}`,checked:n,onChange:()=>r(e.id)})}),t.map(e=>q(`td`,{"data-col":e,role:`cell`,children:a(e)},e))]})});function _s({paused:e,hidden:t,updatedAt:n,onToggle:r}){let i=W($e),a=gt(),o=e||t?`paused`:i===`connected`?`live`:i,s=e?`Paused`:t?`Paused (tab hidden)`:i===`connected`?`Live`:i===`connecting`?`Connecting…`:`Offline`,c=n?Math.max(0,Math.round((a-n)/1e3)):null;return q(`div`,{class:`live live-${o}`,"data-state":o,children:[q(`span`,{class:`dot`,"aria-hidden":`true`}),q(`span`,{class:`live-label`,children:s}),c!==null&&q(`span`,{class:`muted`,children:[`updated `,c,` s ago`]}),q(`button`,{type:`button`,class:`small`,onClick:r,children:e?`Resume`:`Pause`})]})}var vs=Mn(function({stats:e,onPick:t}){return e?q(`div`,{class:`counts`,"aria-label":`Runs by status`,children:e.byStatus.filter(e=>e.count>0).map(e=>q(`button`,{type:`button`,class:`count status-${e.status}`,"data-status":e.status,onClick:()=>t(e.status),children:[e.status.replace(`_`,` `),` `,q(`b`,{children:e.count})]},e.status))}):q(`div`,{class:`counts`})}),ys=Mn(function({state:e,setState:t,error:n}){let[r,i]=I(e.filter),[a,o]=I(e.search),[s,c]=I(!1),l=R(null);L(()=>i(e.filter),[e.filter]),L(()=>o(e.search),[e.search]),L(()=>{let e=e=>{let t=e.target;e.key===`/`&&![`INPUT`,`TEXTAREA`,`SELECT`].includes(t.tagName)&&(e.preventDefault(),l.current?.focus())};return addEventListener(`keydown`,e),()=>removeEventListener(`keydown`,e)},[]);let u=n?.code===`BAD_FILTER`?n:null;return L(()=>{u?.position!=null&&l.current&&(l.current.focus(),l.current.setSelectionRange(u.position,Math.min(u.position+1,e.filter.length)))},[u]),q(`section`,{class:`filterbar`,children:[q(`form`,{class:`filter-row`,onSubmit:n=>{n.preventDefault(),t(Jo(e,{filter:r.trim(),search:a.trim()}))},children:[q(`input`,{ref:l,class:`filter-input ${u?`invalid`:``}`,name:`filter`,"aria-label":`Filter (FILTER.md), press / to focus`,placeholder:`Filter, e.g. status eq "FAILED" and tags.region eq "eu"   ( / )`,value:r,spellcheck:!1,onInput:e=>i(e.currentTarget.value)}),q(`input`,{class:`search-input`,name:`search`,type:`search`,"aria-label":`Search`,placeholder:`Search id, workflow, subject`,value:a,onInput:e=>o(e.currentTarget.value)}),q(`button`,{type:`submit`,class:`primary`,children:`Apply`}),q(`button`,{type:`button`,onClick:()=>c(!s),"aria-expanded":s,children:`Builder`}),(e.filter||e.search)&&q(`button`,{type:`button`,class:`ghost`,onClick:()=>t(Jo(e,{filter:``,search:``})),children:`Clear`})]}),u&&q(`div`,{class:`bad-filter`,role:`alert`,"data-position":u.position??``,children:[q(`div`,{children:u.message}),u.position!=null&&q(`pre`,{class:`caret`,children:[e.filter,`
`,` `.repeat(u.position),`^`]})]}),n&&!u&&q(Y,{error:n}),s&&q(bs,{onApply:n=>t(Jo(e,{filter:Mo(e.filter,n)}))})]})});function bs({onApply:e}){let[t,n]=I({statuses:[],workflow:``,tags:[],range:``}),[r,i]=I([]),[a,o]=I(``),[s,c]=I(``);L(()=>{K(Mt).then(e=>i(e.workflows.edges.map(e=>e.node))).catch(()=>void 0)},[]);let l=Po(t,new Date);return q(`div`,{class:`builder`,children:[q(`fieldset`,{children:[q(`legend`,{children:`Status`}),es.map(e=>q(`label`,{class:`chip`,children:[q(`input`,{type:`checkbox`,checked:t.statuses.includes(e),onChange:r=>n({...t,statuses:r.currentTarget.checked?[...t.statuses,e]:t.statuses.filter(t=>t!==e)})}),e]},e))]}),q(`label`,{children:[`Workflow`,` `,q(`select`,{value:t.workflow,onChange:e=>n({...t,workflow:e.currentTarget.value}),children:[q(`option`,{value:``,children:`any`}),r.map(e=>q(`option`,{value:e.key,children:[e.name,` (`,e.key,`)`]},e.key))]})]}),q(`span`,{class:`tag-chip`,children:[`Tag `,q(`input`,{"aria-label":`Tag key`,placeholder:`key`,value:a,size:8,onInput:e=>o(e.currentTarget.value)}),`=`,q(`input`,{"aria-label":`Tag value`,placeholder:`value`,value:s,size:8,onInput:e=>c(e.currentTarget.value)}),q(`button`,{type:`button`,class:`small`,onClick:()=>{a&&n({...t,tags:[...t.tags,{key:a,value:s}]}),o(``),c(``)},children:`Add`})]}),q(`label`,{children:[`Created`,` `,q(`select`,{value:t.range,onChange:e=>n({...t,range:e.currentTarget.value}),children:[q(`option`,{value:``,children:`any time`}),q(`option`,{value:`1h`,children:`last 1 h`}),q(`option`,{value:`24h`,children:`last 24 h`}),q(`option`,{value:`7d`,children:`last 7 d`}),q(`option`,{value:`custom`,children:`custom`})]})]}),t.range===`custom`&&q(`span`,{children:[q(`input`,{type:`datetime-local`,"aria-label":`From`,onInput:e=>n({...t,customFrom:e.currentTarget.value})}),`–`,q(`input`,{type:`datetime-local`,"aria-label":`To`,onInput:e=>n({...t,customTo:e.currentTarget.value})})]}),q(`code`,{class:`preview`,children:l||`(nothing chosen)`}),q(`button`,{type:`button`,class:`primary`,disabled:!l,onClick:()=>e(Po(t,new Date)),children:`Add to filter`})]})}var xs=Mn(function({state:e,setState:t}){let[n,r]=I(``),i=n=>t({...e,columns:e.columns.includes(n)?e.columns.filter(e=>e!==n):[...e.columns,n]});return q(`details`,{class:`menu columns`,children:[q(`summary`,{children:`Columns`}),q(`div`,{class:`menu-body`,children:[Uo.map(t=>q(`label`,{children:[q(`input`,{type:`checkbox`,checked:e.columns.includes(t),onChange:()=>i(t)}),` `,rs[t]]},t)),e.columns.filter(e=>e.startsWith(`tags.`)).map(e=>q(`label`,{children:[q(`input`,{type:`checkbox`,checked:!0,onChange:()=>i(e)}),` `,e]},e)),q(`form`,{onSubmit:e=>{e.preventDefault(),n.trim()&&i(`tags.${n.trim()}`),r(``)},children:[q(`input`,{"aria-label":`Tag column`,placeholder:`tag key`,value:n,size:10,onInput:e=>r(e.currentTarget.value)}),q(`button`,{type:`submit`,class:`small`,children:`Add tags.KEY`})]}),q(`button`,{type:`button`,class:`small ghost`,onClick:()=>t({...e,columns:Ho}),children:`Reset`})]})]})}),Ss=Mn(function({state:e,setState:t,me:n}){let[r,i]=I(ds),[a,o]=I(localStorage.getItem(us)??``),s=qo(e),c=e=>{localStorage.setItem(ls,JSON.stringify(e)),i(e)},l=e=>t(Ko(e.query));return q(`div`,{class:`views`,"aria-label":`Views`,children:[q(`button`,{type:`button`,class:s===``?`view active`:`view`,onClick:()=>t(Ko(``)),children:`All runs`}),fs(n).map(e=>q(`button`,{type:`button`,class:e.query===s?`view active`:`view`,onClick:()=>l(e),children:e.name},e.name)),r.map(e=>q(`span`,{class:`view saved ${e.query===s?`active`:``}`,"data-view":e.name,children:[q(`button`,{type:`button`,class:`view-open`,onClick:()=>l(e),children:[a===e.name?`★ `:``,e.name]}),q(`a`,{class:`view-link`,href:`/?${e.query}`,title:`Link to this view (shareable)`,children:`link`}),q(`button`,{type:`button`,class:`small ghost`,title:`Open this view by default`,onClick:()=>{let t=a===e.name?``:e.name;localStorage.setItem(us,t),o(t)},children:`★`}),q(`button`,{type:`button`,class:`small ghost`,"aria-label":`Delete view ${e.name}`,onClick:()=>c(r.filter(t=>t.name!==e.name)),children:`×`})]},e.name)),q(`button`,{type:`button`,class:`small`,onClick:()=>{let e=prompt(`Name of this view`)?.trim();e&&c([...r.filter(t=>t.name!==e),{name:e,query:s}])},children:`Save view`})]})}),Cs=[{action:`CANCEL`,label:`Cancel`,role:`OPERATOR`},{action:`TERMINATE`,label:`Terminate`,role:`OPERATOR`},{action:`PAUSE`,label:`Pause`,role:`OPERATOR`},{action:`RESUME`,label:`Resume`,role:`OPERATOR`},{action:`RETRY`,label:`Retry`,role:`OPERATOR`},{action:`RESTART`,label:`Restart`,role:`ADMIN`},{action:`UNBLOCK`,label:`Unblock`,role:`OPERATOR`},{action:`ABANDON`,label:`Abandon`,role:`OPERATOR`}],ws=1e3;function Ts({ids:e,filter:t,total:n,allMatching:r,onAllMatching:i,onDone:a}){let[o,s]=I(``),[c,l]=I(``),[u,d]=I(null),[f,p]=I(null),[m,h]=I(null),[g,_]=I(!1),v=Cs.filter(e=>dn(e.role)),y=e?e.map(e=>$(`id`,`eq`,e)).join(` or `):null,x=async n=>{if(o===`UNBLOCK`||o===`ABANDON`){let r=e&&e.length===1?{id:e[0]}:{filter:y??(t||null)};return n?{matched:(await K(At,{filter:Mo(r.filter??$(`id`,`eq`,e[0]),$(`status`,`eq`,`BLOCKED`))})).runStats.total,succeeded:0,failed:0,dryRun:!0,failures:[],errors:[]}:(await K(Pt,{input:{...r,action:o===`UNBLOCK`?`RUN`:`ABANDON`,reason:c||null}})).unblockRuns}let r=e?{ids:e}:{filter:t||null};if(!e&&!t)throw Error(`Choose a filter first: an action on every run is not offered.`);return(await K(Nt,{input:{action:o,...r,reason:c||null,dryRun:n}})).bulkRunAction},[S,C]=I(null),w=async()=>{if(!u||u.matched<=ws||o===`UNBLOCK`||o===`ABANDON`||!(await sn()).has(`bulkJobs`))return!1;let n=(await K(vn,{input:{action:o,...e?{ids:e}:{filter:t||null},reason:c||null,background:!0}})).bulkRunAction;return n.errors.length?h(Error(n.errors.map(e=>e.message).join(`; `))):(C(n.job),d(null)),!0},T=async e=>{_(!0),h(null);try{if(!e&&await w())return;let t=await x(e);t.errors.length?h(Error(t.errors.map(e=>e.message).join(`; `))):e?d(t):(p(t),d(null))}catch(e){h(e)}finally{_(!1)}};return q(`section`,{class:`bulk`,"aria-label":`Bulk action`,children:[q(`span`,{children:[r?`All ${n} runs matching the filter`:`${e?.length??0} selected`,!r&&t&&q(`button`,{type:`button`,class:`small ghost`,onClick:i,children:[`Select all `,n,` matching`]})]}),v.length===0&&q(`span`,{class:`muted`,children:`Your role cannot act on runs.`}),v.length>0&&q(b,{children:[q(`select`,{"aria-label":`Bulk action`,value:o,onChange:e=>(s(e.currentTarget.value),d(null),p(null)),children:[q(`option`,{value:``,children:`Action…`}),v.map(e=>q(`option`,{value:e.action,children:e.label},e.action))]}),q(`input`,{"aria-label":`Reason`,placeholder:`reason (optional)`,value:c,onInput:e=>l(e.currentTarget.value)}),q(`button`,{type:`button`,disabled:!o||g,onClick:()=>T(!0),children:`Preview`})]}),u&&q(`span`,{class:`confirm`,role:`status`,children:[`This would `,o.toLowerCase(),` `,q(`b`,{class:`dry-count`,children:u.matched}),` run`,u.matched===1?``:`s`,`.`,` `,q(`button`,{type:`button`,class:`danger`,disabled:g,onClick:()=>T(!1),children:[`Confirm `,o.toLowerCase()]}),q(`button`,{type:`button`,class:`ghost`,onClick:()=>d(null),children:`Back`})]}),f&&q(`div`,{class:`bulk-result`,role:`status`,children:[q(`b`,{class:`succeeded`,children:[f.succeeded,` succeeded`]}),`, `,q(`b`,{class:`failed`,children:[f.failed,` failed`]}),f.failures.length>0&&q(`ul`,{children:[f.failures.map(e=>q(`li`,{children:[q(`a`,{href:`/runs/${encodeURIComponent(e.runId)}`,children:e.runId}),`: `,e.message]},e.runId)),f.failed>f.failures.length&&q(`li`,{children:[f.failed-f.failures.length,` more`]})]}),q(`button`,{type:`button`,class:`small`,onClick:a,children:`Done`})]}),S&&q(`div`,{class:`table-wrap bulk-job`,role:`status`,children:[q(`p`,{class:`bulk-job-note`,children:[`Over `,ws.toLocaleString(`en`),` runs: running as a bulk job. `,q(`a`,{href:`/jobs`,children:`All jobs`})]}),q(`table`,{children:q(`tbody`,{children:q(En,{job:S,onCancel:async()=>{let e=await Dn(S.id).catch(e=>e.message);e&&h(Error(e))}})})})]}),q(Y,{error:m})]})}var Es=Mn(function({filter:e,state:t}){let[n,r]=I(null),[i,a]=I(null),[o,s]=I(`CSV`);return L(()=>{if(n&&n.status!==`COMPLETED`&&n.status!==`FAILED`)return rt(It,{id:n.id},e=>r(e.exportJob),a)},[n?.id,n?.status===`COMPLETED`||n?.status===`FAILED`]),q(`span`,{class:`export`,children:[q(`select`,{"aria-label":`Export format`,value:o,onChange:e=>s(e.currentTarget.value),children:[q(`option`,{value:`CSV`,children:`CSV`}),q(`option`,{value:`JSONL`,children:`JSONL`})]}),q(`button`,{type:`button`,onClick:async()=>{a(null);try{let n=await K(Ft,{input:{filter:e||null,format:o,orderBy:[{field:t.orderField,direction:t.direction}]}});n.exportRuns.errors.length?a(Error(n.exportRuns.errors.map(e=>e.message).join(`; `))):(r(n.exportRuns.job),Cn(n.exportRuns.job.id))}catch(e){a(e)}},disabled:!!n&&n.status!==`COMPLETED`&&n.status!==`FAILED`,children:`Export`}),n&&q(`span`,{class:`export-job`,"data-status":n.status,children:[q(`progress`,{max:1,value:n.progress}),` `,Math.round(n.progress*100),`% · `,n.rowCount,` rows`,n.status===`COMPLETED`&&n.url&&q(`button`,{type:`button`,class:`small primary`,onClick:async()=>{try{at(await it(n.url),`runs.${n.format===`CSV`?`csv`:`jsonl`}`)}catch(e){a(e)}},children:`Download`}),n.status===`FAILED`&&q(`span`,{class:`err`,children:n.error})]}),q(Y,{error:i})]})});function Ds(e,t,n=``){return`/workflows/${encodeURIComponent(e)}?project=${encodeURIComponent(t)}${n}`}function Os(){let[e,t]=I(null),[n,r]=I(null);return L(()=>{K(tn).then(e=>t(e.workflows.edges.map(e=>e.node))).catch(r)},[]),q(`main`,{class:`page`,children:[q(`h1`,{children:`Workflows`}),q(Y,{error:n}),e&&q(`div`,{class:`table-wrap`,children:[q(`table`,{class:`workflows`,children:[q(`thead`,{children:q(`tr`,{children:[q(`th`,{children:`Workflow`}),q(`th`,{children:`Key`}),q(`th`,{children:`Version`}),q(`th`,{children:`Project`}),q(`th`,{children:`Updated`})]})}),q(`tbody`,{children:e.map(e=>q(`tr`,{"data-key":e.key,children:[q(`td`,{children:[q(`a`,{href:Ds(e.key,e.project.key),children:e.name}),e.description&&q(`div`,{class:`muted`,children:e.description})]}),q(`td`,{children:q(`code`,{children:e.key})}),q(`td`,{children:[`v`,e.version]}),q(`td`,{children:e.project.key}),q(`td`,{children:q(J,{at:e.updatedAt})})]},`${e.project.key}/${e.key}`))})]}),e.length===0&&q(`p`,{class:`empty`,children:`No workflows yet.`})]})]})}function ks({steps:e}){let t=z(()=>Ao(Do(e.map(e=>({...e,status:null})))),[e]);return q(`div`,{class:`dag`,children:q(`svg`,{width:t.width,height:t.height,role:`img`,"aria-label":`Step graph`,children:[t.edges.map(e=>q(`polyline`,{class:`edge`,points:e.points.map(e=>`${e.x},${e.y}`).join(` `)},`${e.from}-${e.to}`)),t.nodes.map(e=>q(`g`,{class:`node`,"data-ref":e.ref,transform:`translate(${e.x-e.width/2},${e.y-e.height/2})`,children:[q(`rect`,{class:`box`,width:e.width,height:e.height,rx:`6`}),q(`text`,{x:`10`,y:`18`,class:`node-label`,children:e.label}),q(`text`,{x:`10`,y:`35`,class:`node-meta`,children:e.type})]},e.ref))]})})}function As({workflowKey:e}){let{query:t}=Ro(),n=W(ln),[r,i]=I(void 0),[a,o]=I(null),[s,c]=I(null),[l,u]=I([]),[d,f]=I({...Wo,size:25}),p=t.get(`project`),m=$(`workflow_key`,`eq`,e);if(L(()=>{K(nn,{key:e,project:p}).then(e=>i(e.workflow??null)).catch(o),K(At,{filter:m}).then(e=>u(e.runStats.byStatus)).catch(o)},[e,p]),a)return q(`main`,{class:`page`,children:q(Y,{error:a})});if(r===void 0)return q(`main`,{class:`page loading`,children:`Loading…`});if(r===null)return q(`main`,{class:`page`,children:q(`h1`,{children:`Workflow not found`})});let h=r.versions.find(e=>e.version===(s??r.version))??r.versions[r.versions.length-1];return q(`main`,{class:`page workflow-page`,children:[q(`h1`,{children:[r.name,` `,q(`span`,{class:`muted`,children:r.key})]}),r.description&&q(`p`,{children:r.description}),q(`div`,{class:`counts`,children:l.filter(e=>e.count>0).map(e=>q(`span`,{class:`count status-${e.status}`,"data-status":e.status,children:[e.status,` `,q(`b`,{children:e.count})]},e.status))}),q(`section`,{children:[q(`h2`,{children:[`Version`,` `,q(`select`,{"aria-label":`Version`,value:h?.version,onChange:e=>c(Number(e.currentTarget.value)),children:r.versions.map(e=>q(`option`,{value:e.version,children:[`v`,e.version]},e.version))})]}),h&&q(b,{children:[q(`p`,{class:`muted`,children:[`by `,h.createdBy,`, `,q(J,{at:h.createdAt}),`, `,h.steps.length,` steps, at most `,h.maxParallelSteps,` in parallel`]}),q(ks,{steps:h.steps})]})]}),dn(`OPERATOR`)&&q(js,{workflowKey:e,project:r.project.key,likeRun:t.get(`start`)}),q(`section`,{children:[q(`h2`,{children:`Runs`}),q(hs,{state:d,setState:f,me:n?.name??``,fixedFilter:m})]})]})}function js({workflowKey:e,project:t,likeRun:n}){let[r,i]=I(`{}`),[a,o]=I({type:``,id:``,name:``}),[s,c]=I(`NORMAL`),[l,u]=I(``),[d,f]=I(``),[p,m]=I(null),[h,g]=I(!1);return L(()=>{n&&K(Rt,{id:n}).then(e=>{let t=e.run;t&&(i(JSON.stringify(t.input??{},null,2)),t.subject&&o({type:t.subject.type,id:t.subject.id,name:t.subject.name??``}),c(t.priority),u(t.tags.map(e=>`${e.key}=${e.value}`).join(`, `)))}).catch(m)},[n]),q(`section`,{class:`start-form`,children:[q(`h2`,{children:`Start a run`}),q(`form`,{onSubmit:async n=>{n.preventDefault(),m(null);let i;try{i=r.trim()?JSON.parse(r):null}catch(e){m(Error(`The input is not valid JSON: ${e.message}`));return}g(!0);try{let n=l.split(`,`).map(e=>e.trim()).filter(Boolean).map(e=>{let[t,...n]=e.split(`=`);return{key:t.trim(),value:n.join(`=`).trim()}}),r=(await K(rn,{input:{workflowKey:e,project:t,input:i,priority:s,tags:n.length?n:null,reason:d||null,subject:a.type&&a.id?{type:a.type,id:a.id,name:a.name||null}:null}})).startRun;r.errors.length?m(Error(r.errors.map(e=>`${e.field?.join(`.`)??``} ${e.message}`.trim()).join(`; `))):r.run&&Lo(`/runs/${encodeURIComponent(r.run.id)}`)}catch(e){m(e)}finally{g(!1)}},children:[q(`label`,{children:[`Input (JSON)`,q(`textarea`,{name:`input`,rows:6,spellcheck:!1,value:r,onInput:e=>i(e.currentTarget.value)})]}),q(`div`,{class:`row`,children:[q(`label`,{children:[`Subject type`,q(`input`,{name:`subjectType`,value:a.type,onInput:e=>o({...a,type:e.currentTarget.value})})]}),q(`label`,{children:[`Subject id`,q(`input`,{name:`subjectId`,value:a.id,onInput:e=>o({...a,id:e.currentTarget.value})})]}),q(`label`,{children:[`Subject name`,q(`input`,{name:`subjectName`,value:a.name,onInput:e=>o({...a,name:e.currentTarget.value})})]})]}),q(`div`,{class:`row`,children:[q(`label`,{children:[`Priority`,q(`select`,{name:`priority`,value:s,onChange:e=>c(e.currentTarget.value),children:[`LOW`,`NORMAL`,`HIGH`,`CRITICAL`].map(e=>q(`option`,{children:e},e))})]}),q(`label`,{children:[`Tags (key=value, …)`,q(`input`,{name:`tags`,value:l,onInput:e=>u(e.currentTarget.value)})]}),q(`label`,{children:[`Reason`,q(`input`,{name:`reason`,value:d,onInput:e=>f(e.currentTarget.value)})]})]}),q(Y,{error:p}),q(`button`,{type:`submit`,class:`primary`,disabled:h,children:`Start run`})]})]})}var Ms=e=>new Date(e).getTime();function Ns(e,t){let n=[];for(let r of e){let e=r.iteration==null?r.ref:`${r.parentRef}[${r.iteration}]`,i=r.parentRef??r.ref,a=r.attempts?.length?r.attempts:r.startedAt?[{attempt:r.attempt,status:r.status,startedAt:r.startedAt,finishedAt:r.finishedAt}]:[];for(let o of a){let a=Ms(o.startedAt),s=!o.finishedAt;n.push({key:`${r.id}:${o.attempt}:${o.startedAt}`,ref:r.ref,selectRef:i,label:e,attempt:o.attempt,status:o.status,from:a,to:s?Math.max(t,a):Ms(o.finishedAt),open:s,error:o.error??null})}}if(!n.length)return{bars:n,begin:t,end:t};let r=1/0,i=-1/0;for(let e of n)r=Math.min(r,e.from),i=Math.max(i,e.to);return{bars:n,begin:r,end:Math.max(i,r+1)}}function Ps(e,t){for(let n of e){let e=t[n.name];if(n.json&&e?.trim())try{JSON.parse(e)}catch(e){return`${n.label.replace(/ \(JSON\)$/,``)} is not valid JSON: ${e.message}`}}return null}var Fs={COMPLETED:`#2e9d57`,RUNNING:`#2f7de1`,FAILED:`#d64545`,TIMED_OUT:`#d64545`,WAITING:`#c98a12`,QUEUED:`#8a63d2`,PENDING:`#8b95a5`,BLOCKED:`#c98a12`,PAUSED:`#c98a12`,CANCELING:`#b0651b`,CANCELED:`#6b7280`,TERMINATED:`#6b7280`,ABANDONED:`#6b7280`,SKIPPED:`#9aa3af`};function Is(e,t){document.title=e?`${e} · ${t} · flowdeck`:`flowdeck`;let n=`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${e&&Fs[e]||`#8b95a5`}"/></svg>`,r=document.getElementById(`favicon`);r&&(r.href=`data:image/svg+xml,${encodeURIComponent(n)}`)}function Ls({id:e}){let{query:t}=Ro(),n=t.get(`tab`)??`history`,r=t.get(`step`),i=t.get(`seq`)?Number(t.get(`seq`)):null,a=B(t=>{let n=new URLSearchParams(location.search);for(let[e,r]of Object.entries(t))r===null?n.delete(e):n.set(e,r);let r=n.toString();Lo(`/runs/${encodeURIComponent(e)}${r?`?${r}`:``}`,!0)},[e]),[o,s]=I(null),[c,l]=I(null),[u,d]=I(!1),f=B(async()=>{try{let t=await K(Rt,{id:e});t.run?(s(t.run),d(!1)):d(!0),l(null)}catch(e){l(e)}},[e]);L(()=>{s(null),f()},[f]),L(()=>(Is(o?.status??null,o?.workflow.name??`run`),()=>Is(null,``)),[o?.status,o?.workflow.name]);let p=R({busy:!1,again:!1}),m=B(()=>{let e=p.current;e.busy?e.again=!0:(e.busy=!0,f().finally(()=>{e.busy=!1,e.again&&(e.again=!1,m())}))},[f]),h=B(e=>a({seq:String(e)}),[a]);if(u)return q(`main`,{class:`page`,children:[q(`h1`,{children:`Run not found`}),q(`p`,{children:[`No run with id `,q(`code`,{children:e}),` is visible to your key.`]})]});if(c&&!o)return q(`main`,{class:`page`,children:q(Y,{error:c})});if(!o)return q(`main`,{class:`page loading`,children:`Loading run…`});let g=o.steps;return q(`main`,{class:`page run-page`,"data-run-status":o.status,children:[q(zs,{run:o}),q(Y,{error:c}),q(Gs,{run:o,onDone:m}),q(`section`,{class:`graph-and-timeline`,children:[q(Ks,{steps:g,childRuns:o.childRuns,selected:r,onSelect:e=>a({step:e})}),q(qs,{steps:g,selected:r,onSelect:e=>a({step:e})})]}),q(`div`,{class:`tabs`,role:`tablist`,children:[`history`,`steps`,`updates`,`data`].map(e=>q(`button`,{type:`button`,role:`tab`,"aria-selected":n===e,class:n===e?`tab active`:`tab`,onClick:()=>a({tab:e}),children:e===`data`?`Input & output`:e[0].toUpperCase()+e.slice(1)},e))}),q(`div`,{hidden:n!==`steps`,children:q(Js,{run:o,selected:r,onSelect:e=>a({step:e}),onDone:m})}),q(`div`,{hidden:n!==`history`,children:q($s,{run:o,selectedSeq:i,onSelectSeq:h,onEvent:m})}),q(`div`,{hidden:n!==`updates`,children:q(ec,{runId:o.id})}),q(`div`,{hidden:n!==`data`,class:`data`,children:[q(yt,{label:`Input`,value:o.input}),q(yt,{label:`Output`,value:o.output})]})]})}function Rs({label:e,run:t}){return t?q(`span`,{class:`run-ref`,children:[e,`: `,q(`a`,{href:`/runs/${encodeURIComponent(t.id)}`,children:[t.id.slice(0,10),`…`]}),` `,q(_t,{status:t.status})]}):null}function zs({run:e}){return q(`header`,{class:`run-header`,children:[q(`div`,{class:`run-title`,children:[q(_t,{status:e.status}),q(`h1`,{children:[q(`a`,{href:Ds(e.workflow.key,e.project.key),children:e.workflow.name}),` `,q(`span`,{class:`muted`,children:[`v`,e.workflowVersion]})]})]}),q(`dl`,{class:`facts`,children:[q(`div`,{children:[q(`dt`,{children:`Id`}),q(`dd`,{children:[q(`code`,{class:`run-id`,children:e.id}),` `,q(vt,{text:e.id})]})]}),e.subject&&q(`div`,{children:[q(`dt`,{children:`Subject`}),q(`dd`,{children:[e.subject.name??e.subject.id,` `,q(`span`,{class:`muted`,children:[`(`,e.subject.type,` `,e.subject.id,`)`]})]})]}),q(`div`,{children:[q(`dt`,{children:`Created`}),q(`dd`,{children:q(J,{at:e.createdAt})})]}),q(`div`,{children:[q(`dt`,{children:`Started`}),q(`dd`,{children:q(J,{at:e.startedAt})})]}),q(`div`,{children:[q(`dt`,{children:`Finished`}),q(`dd`,{children:q(J,{at:e.finishedAt})})]}),q(`div`,{children:[q(`dt`,{children:`Duration`}),q(`dd`,{children:ut(e.durationSeconds)})]}),q(`div`,{children:[q(`dt`,{children:`Priority`}),q(`dd`,{children:e.priority})]}),q(`div`,{children:[q(`dt`,{children:`Started by`}),q(`dd`,{children:[e.initiatedBy,` `,q(`span`,{class:`muted`,children:[`(`,e.triggeredBy,`)`]})]})]}),e.tags.length>0&&q(`div`,{children:[q(`dt`,{children:`Tags`}),q(`dd`,{children:e.tags.map(e=>q(`span`,{class:`tag`,children:[e.key,`=`,e.value]},e.key))})]})]}),e.error&&q(`div`,{class:`error-box run-error`,children:[e.error.stepRef&&q(`b`,{children:[e.error.stepRef,`: `]}),e.error.message]}),q(`div`,{class:`links`,children:[q(Rs,{label:`Retry of`,run:e.retryOf}),q(Rs,{label:`Restart of`,run:e.restartOf}),q(Rs,{label:`Parent`,run:e.parentRun}),e.childRuns.map(e=>q(Rs,{label:`Child (${e.workflow.key})`,run:e},e.id)),q(Bs,{run:e}),q(`a`,{href:Ds(e.workflow.key,e.project.key,`&start=${encodeURIComponent(e.id)}`),class:`button small`,children:`Start a run like this one`})]})]})}function Bs({run:e}){let t=e.id,[n,r]=I([]);return L(()=>{K(kt,{filter:`${$(`retry_of`,`eq`,t)} or ${$(`restart_of`,`eq`,t)}`,first:20}).then(e=>r(e.runs.edges.map(e=>e.node))).catch(()=>r([]))},[e]),q(b,{children:n.map(e=>q(Rs,{label:`Made from this run`,run:e},e.id))})}function Vs(e){return e?.trim()?JSON.parse(e):null}function Hs(e,t){let n=t=>({input:{id:e.id,reason:t}});switch(t){case`CANCEL`:return{label:`Cancel`,danger:!0,mutate:async e=>(await K(Ht,n(e))).cancelRun};case`TERMINATE`:return{label:`Terminate`,danger:!0,mutate:async e=>(await K(Ut,n(e))).terminateRun};case`PAUSE`:return{label:`Pause`,mutate:async e=>(await K(Wt,n(e))).pauseRun};case`RESUME`:return{label:`Resume`,mutate:async e=>(await K(Gt,n(e))).resumeRun};case`RETRY`:return{label:`Retry`,mutate:async e=>(await K(Kt,n(e))).retryRun};case`RESTART`:return{label:`Restart`,mutate:async e=>(await K(qt,n(e))).restartRun};case`UNBLOCK`:case`ABANDON`:return{label:t===`UNBLOCK`?`Unblock`:`Abandon`,danger:t===`ABANDON`,mutate:async n=>(await K(Pt,{input:{id:e.id,action:t===`UNBLOCK`?`RUN`:`ABANDON`,reason:n}})).unblockRuns};case`SIGNAL`:return{label:`Signal`,fields:[{name:`name`,label:`Signal name`},{name:`message`,label:`Message`},{name:`payload`,label:`Payload (JSON)`,json:!0}],mutate:async(t,n)=>(await K(Jt,{input:{id:e.id,name:n.name??``,message:n.message??``,payload:Vs(n.payload)}})).signalRun};default:return{label:t,mutate:async()=>({errors:[{message:`The dashboard does not know the action ${t}`}]})}}}function Us(e,t,n){let r=n=>({input:{runId:e.id,stepRef:t.ref,reason:n}});switch(n){case`APPROVE`:return{label:`Approve`,mutate:async e=>(await K(Yt,r(e))).approveStep};case`REJECT`:return{label:`Reject`,danger:!0,mutate:async e=>(await K(Xt,r(e))).rejectStep};case`SKIP`:return{label:`Skip`,mutate:async e=>(await K(Zt,r(e))).skipStep};case`RETRY`:return{label:`Retry step`,mutate:async e=>(await K(Qt,r(e))).retryStep};case`REPLAY_SUBTREE`:return{label:`Replay subtree`,mutate:async e=>(await K($t,r(e))).replaySubtree};case`FORCE_COMPLETE`:return{label:`Force complete`,fields:[{name:`result`,label:`Result (JSON)`,json:!0}],mutate:async(n,r)=>(await K(en,{input:{runId:e.id,stepRef:t.ref,reason:n,result:Vs(r.result)}})).forceCompleteStep};default:return{label:n,mutate:async()=>({errors:[{message:`The dashboard does not know the action ${n}`}]})}}}function Ws({spec:e,subject:t,onDone:n}){let[r,i]=I(!1),[a,o]=I(``),[s,c]=I({}),[l,u]=I(null),[d,f]=I(!1),p=B(()=>i(!1),[]);return q(b,{children:[q(`button`,{type:`button`,class:e.danger?`danger action`:`action`,"data-action":e.label,onClick:()=>(i(!0),u(null)),children:e.label}),r&&q(bt,{title:`${e.label} ${t}`,onClose:p,children:q(`form`,{onSubmit:async t=>{t.preventDefault();let r=Ps(e.fields??[],s);if(r)u(Error(r));else{f(!0),u(null);try{let t=await e.mutate(a.trim()||null,s);t.errors.length?u(Error(t.errors.map(e=>e.message).join(`; `))):(i(!1),n())}catch(e){u(e)}finally{f(!1)}}},children:[e.fields?.map(t=>q(`label`,{children:[t.label,t.json?q(`textarea`,{name:t.name,rows:4,"aria-invalid":!!l&&!!Ps(e.fields??[],s),onInput:e=>c({...s,[t.name]:e.currentTarget.value})}):q(`input`,{name:t.name,onInput:e=>c({...s,[t.name]:e.currentTarget.value})})]},t.name)),q(`label`,{children:[`Reason`,q(`input`,{name:`reason`,value:a,onInput:e=>o(e.currentTarget.value)})]}),q(Y,{error:l}),q(`div`,{class:`dialog-buttons`,children:[q(`button`,{type:`button`,class:`ghost`,onClick:p,children:`Back`}),q(`button`,{type:`submit`,class:e.danger?`danger`:`primary`,disabled:d,children:e.label})]})]})})]})}function Gs({run:e,onDone:t}){return e.availableActions.length?q(`div`,{class:`actions run-actions`,"aria-label":`Run actions`,children:e.availableActions.map(n=>q(Ws,{spec:Hs(e,n),subject:`this run`,onDone:t},n))}):null}function Ks({steps:e,childRuns:t,selected:n,onSelect:r}){let[i,a]=I(new Set),o=z(()=>Do(e,i),[e,i]),[s,c]=I(!1),[l,u]=I(!1),d=e.length>500&&!s,f=d?null:ko(o),p=z(()=>f===null?null:Ao(o),[f]),m=z(()=>new Map(o.nodes.map(e=>[e.ref,e])),[o]),h=z(()=>Oo(o),[o]),g=z(()=>new Map(t.filter(e=>e.parentStep).map(e=>[e.parentStep.ref,e])),[t]),_=e=>{let t=new Set(i);t.has(e)?t.delete(e):t.add(e),a(t)};return q(`div`,{class:`dag ${l?`fullscreen`:``}`,"aria-label":`Step graph`,"data-nodes":p?p.nodes.length:0,children:[q(`div`,{class:`dag-tools`,children:[p&&h.length>0&&q(b,{children:[q(`button`,{type:`button`,class:`small ghost`,disabled:i.size===0,onClick:()=>a(new Set),children:`Collapse all`}),q(`button`,{type:`button`,class:`small ghost`,disabled:i.size===h.length,onClick:()=>a(new Set(h)),children:`Expand all`})]}),q(`button`,{type:`button`,class:`small ghost`,onClick:()=>u(!l),children:l?`Exit full screen`:`Full screen`})]}),d&&q(`p`,{class:`dag-on-request`,children:[e.length,` steps`,o.nodes.length<e.length?` (${o.nodes.length} in the graph, loop iterations grouped)`:``,`.`,` `,q(`button`,{type:`button`,onClick:()=>c(!0),children:`Draw the graph`})]}),p&&q(`svg`,{width:p.width,height:p.height,viewBox:`0 0 ${p.width} ${p.height}`,role:`img`,children:[q(`defs`,{children:q(`marker`,{id:`arrow`,viewBox:`0 0 10 10`,refX:`9`,refY:`5`,markerWidth:`6`,markerHeight:`6`,orient:`auto-start-reverse`,children:q(`path`,{d:`M 0 0 L 10 5 L 0 10 z`,class:`arrow`})})}),p.edges.map(e=>q(`polyline`,{class:`edge`,"marker-end":`url(#arrow)`,points:e.points.map(e=>`${e.x},${e.y}`).join(` `)},`${e.from}-${e.to}`)),p.nodes.map(e=>{let t=m.get(e.ref)??e,a=g.get(t.ref),o=Fs[t.status??`PENDING`];return q(`g`,{class:`node ${n===t.ref?`selected`:``}`,"data-ref":t.ref,"data-status":t.status??``,transform:`translate(${e.x-e.width/2},${e.y-e.height/2})`,tabindex:0,role:`button`,"aria-label":`${t.label}: ${t.status}`,onClick:()=>r(t.ref),onKeyDown:e=>e.key===`Enter`&&r(t.ref),children:[q(`title`,{children:[t.label,` (`,t.ref,`): `,t.status,Object.entries(t.iterationStatuses).map(([e,t])=>`, ${t} ${e}`).join(``)]}),q(`rect`,{class:`box`,width:e.width,height:e.height,rx:`6`,style:{stroke:o}}),q(`rect`,{width:`6`,height:e.height,rx:`3`,style:{fill:o}}),q(`text`,{x:`14`,y:`18`,class:`node-label`,children:t.label.length>22?`${t.label.slice(0,21)}…`:t.label}),q(`text`,{x:`14`,y:`35`,class:`node-meta`,children:[t.type.replace(`_`,` `),` · `,t.status,t.iterations?` · ×${t.iterations}`:``]}),t.iterations>0&&q(`g`,{class:`loop-toggle`,role:`button`,tabindex:0,"aria-label":`${i.has(t.ref)?`Collapse`:`Expand`} the ${t.iterations} iterations of ${t.ref}`,transform:`translate(${e.width-22},4)`,onClick:e=>(e.stopPropagation(),_(t.ref)),onKeyDown:e=>e.key===`Enter`&&(e.stopPropagation(),_(t.ref)),children:[q(`rect`,{width:`18`,height:`18`,rx:`4`,class:`box`}),q(`text`,{x:`9`,y:`13`,"text-anchor":`middle`,class:`node-label`,children:i.has(t.ref)?`−`:`+`})]}),a&&q(`a`,{href:`/runs/${encodeURIComponent(a.id)}`,class:`child-link`,onClick:e=>e.stopPropagation(),children:q(`text`,{x:e.width-8,y:`35`,"text-anchor":`end`,class:`node-meta`,children:`child run →`})})]},t.ref)})]})]})}function qs({steps:e,selected:t,onSelect:n}){let r=W(ot),{bars:i,begin:a,end:o}=z(()=>Ns(e,Date.now()),[e]);if(!i.length)return q(`div`,{class:`timeline empty`,children:`No step has started yet.`});let s=o-a;return q(`div`,{class:`timeline`,"aria-label":`Timeline`,children:[q(`div`,{class:`timeline-axis muted`,children:[q(`span`,{children:lt(new Date(a).toISOString(),r)}),q(`span`,{children:ut(s/1e3)})]}),i.map(e=>q(`button`,{type:`button`,class:`bar-row ${t!=null&&(t===e.ref||t===e.selectRef)?`selected`:``}`,"data-ref":e.ref,"data-attempt":e.attempt,"data-status":e.status,onClick:()=>n(e.selectRef),title:`${e.label} attempt ${e.attempt}: ${e.status}, ${ut((e.to-e.from)/1e3)}${e.error?` (${e.error})`:``}`,children:[q(`span`,{class:`bar-label`,children:[e.label,` `,q(`span`,{class:`muted`,children:[`#`,e.attempt]})]}),q(`span`,{class:`bar-track`,children:q(`span`,{class:`bar ${e.open?`open`:``}`,style:{left:`${(e.from-a)/s*100}%`,width:`${Math.max((e.to-e.from)/s*100,.5)}%`,background:Fs[e.status]}})})]},e.key))]})}function Js({run:e,selected:t,onSelect:n,onDone:r}){return q(`div`,{class:`table-wrap`,children:q(`table`,{class:`steps`,children:[q(`thead`,{children:q(`tr`,{children:[q(`th`,{children:`Step`}),q(`th`,{children:`Type`}),q(`th`,{children:`Status`}),q(`th`,{children:`Attempt`}),q(`th`,{children:`Started`}),q(`th`,{children:`Finished`}),q(`th`,{children:`Waiting for`}),q(`th`,{children:`Output / error`}),q(`th`,{children:`Actions`})]})}),q(`tbody`,{children:e.steps.map(i=>q(`tr`,{"data-ref":i.ref,"data-status":i.status,class:t===i.ref?`selected`:``,onClick:()=>n(i.parentRef??i.ref),children:[q(`td`,{children:[i.iteration==null?null:q(`span`,{class:`muted`,children:[i.parentRef,`[`,i.iteration,`] `]}),q(`b`,{children:i.name??i.ref}),` `,q(`span`,{class:`muted`,children:i.ref})]}),q(`td`,{children:i.type}),q(`td`,{children:q(_t,{status:i.status})}),q(`td`,{children:i.attempt}),q(`td`,{children:q(J,{at:i.startedAt})}),q(`td`,{children:q(J,{at:i.finishedAt})}),q(`td`,{class:`waiting-for`,children:i.waitingFor??``}),q(`td`,{class:`output`,children:[e.childRuns.filter(e=>e.parentStep?.ref===i.ref).map(e=>q(`a`,{href:`/runs/${encodeURIComponent(e.id)}`,class:`child-run`,children:[`child run `,q(_t,{status:e.status}),` `]},e.id)),i.error?q(`span`,{class:`err`,children:i.error}):i.output==null?``:q(`code`,{children:JSON.stringify(i.output).slice(0,120)})]}),q(`td`,{class:`actions`,onClick:e=>e.stopPropagation(),children:i.availableActions.map(t=>q(Ws,{spec:Us(e,i,t),subject:`step ${i.ref}`,onDone:r},t))})]},i.id))})]})})}var Ys=30,Xs=Mn(function({event:e,top:t,start:n,selected:r,onSelect:i}){return q(`div`,{class:`event ${e.ok?``:`failed`} ${r?`selected`:``}`,"data-seq":e.seq,style:{top:`${t}px`},onClick:()=>i(e.seq),children:[q(`span`,{class:`seq`,children:[`#`,e.seq]}),q(`span`,{class:`elapsed muted`,children:[`+`,ut((new Date(e.at).getTime()-n)/1e3)]}),q(`span`,{class:`etype`,children:e.type}),q(`span`,{class:`eref`,children:e.stepRef??``}),q(`span`,{class:`edetail muted`,children:[e.actor,e.reason,e.data?JSON.stringify(e.data):``].filter(Boolean).join(` · `)})]})});function Zs(e){let t=R(e);return t.current.length===e.length&&t.current.every((t,n)=>t===e[n])||(t.current=e),t.current}var Qs=Mn(function({label:e,all:t,options:n,value:r,onChange:i}){return q(`select`,{"aria-label":e,value:r,onChange:e=>i(e.currentTarget.value),children:[q(`option`,{value:``,children:t}),n.map(e=>q(`option`,{children:e},e))]})});function $s({run:e,selectedSeq:t,onSelectSeq:n,onEvent:r}){let[i,a]=I([]),[o,s]=I(1),[c,l]=I(!1),[u,d]=I(null),[f,p]=I(``),[m,h]=I(``),[g,_]=I(!1),[v,y]=I(!0),b=R(0),x=e.events.totalCount,S=e.id;L(()=>{let e=!0;b.current=0,l(!1);let t=Math.max(0,x-100);return K(zt,{id:S,after:t,first:100}).then(n=>{if(!e||!n.run)return;let r=n.run.events.edges.map(e=>e.node);b.current=r.length?r[r.length-1].seq:t,s(r.length?r[0].seq:t+1),a(r),l(!0)}).catch(t=>e&&d(t)),()=>{e=!1}},[S]),L(()=>{if(!c)return;let e=pt(e=>{let t=[];for(let n of e)n.seq>b.current&&(t.push(n),b.current=n.seq);t.length&&(a(e=>[...e,...t]),r())}),t=rt(Bt,{runId:S,after:b.current},t=>e.push(t.runEvents),d);return()=>{t(),e.cancel()}},[c,S,r]);let C=B(e=>(!f||e.type===f)&&(!m||e.stepRef===m)&&(!g||!e.ok),[f,m,g]),w=R(null),[T,E]=I(0),ee=R(!1),D=R(0),O=B(async()=>{if(!(ee.current||o<=1)){ee.current=!0;try{let e=Math.max(0,o-1-100),t=((await K(zt,{id:S,after:e,first:o-1-e})).run?.events.edges.map(e=>e.node)??[]).filter(e=>e.seq<o);v||(D.current+=t.filter(C).length*Ys),a(e=>[...t,...e]),s(t.length?t[0].seq:1)}catch(e){d(e)}finally{ee.current=!1}}},[o,S,v,C]);Te(()=>{let e=w.current;D.current&&e&&(e.scrollTop+=D.current,D.current=0,E(e.scrollTop))},[o]);let k=z(()=>{let e=i.filter(C);return v?e.reverse():e},[i,C,v]),te=Zs(z(()=>[...new Set(i.map(e=>e.type))].sort(),[i])),ne=Zs(z(()=>[...new Set(i.map(e=>e.stepRef).filter(Boolean))].sort(),[i])),re=i.length?new Date(i[0].at).getTime():0,A=Math.max(0,Math.floor(T/Ys)-10),ie=Math.min(k.length,Math.ceil((T+420)/Ys)+10);return L(()=>{if(t==null||!w.current)return;let e=k.findIndex(e=>e.seq===t);e>=0&&(w.current.scrollTop=Math.max(0,e*Ys-210))},[t,c]),q(`section`,{class:`history`,"aria-label":`History`,children:[q(`div`,{class:`history-tools`,children:[q(Qs,{label:`Event type`,all:`every type`,options:te,value:f,onChange:p}),q(Qs,{label:`Step`,all:`every step`,options:ne,value:m,onChange:h}),q(`label`,{children:[q(`input`,{type:`checkbox`,checked:g,onChange:e=>_(e.currentTarget.checked)}),` failed only`]}),q(`button`,{type:`button`,class:`small`,onClick:()=>y(!v),children:v?`Newest first`:`Oldest first`}),q(`button`,{type:`button`,class:`small`,onClick:()=>at(new Blob([JSON.stringify({run:e,events:i},null,2)],{type:`application/json`}),`run-${e.id}.json`),children:`Download JSON`}),q(`span`,{class:`muted event-count`,children:[i.length,` of `,Math.max(x,b.current),` events`]}),o>1&&q(`button`,{type:`button`,class:`small load-older`,onClick:()=>void O(),children:`Load older`})]}),q(Y,{error:u}),q(`div`,{class:`events`,ref:w,style:{height:`${Math.min(420,k.length*Ys+2)}px`},onScroll:e=>{let t=e.currentTarget;E(t.scrollTop),(v?t.scrollTop+t.clientHeight>=t.scrollHeight-90:t.scrollTop<=90)&&o>1&&O()},children:q(`div`,{style:{height:`${k.length*Ys}px`,position:`relative`},children:k.slice(A,ie).map((e,r)=>q(Xs,{event:e,top:(A+r)*Ys,start:re,selected:t===e.seq,onSelect:n},e.seq))})})]})}function ec({runId:e}){let[t,n]=I([]);return L(()=>{n([]);let t=pt(e=>n(t=>{let n=new Set(t.map(e=>e.seq));return[...t,...e.filter(e=>!n.has(e.seq))]})),r=rt(Vt,{runId:e},e=>t.push(e.runUpdates));return()=>{r(),t.cancel()}},[e]),t.length?q(`ol`,{class:`updates`,children:t.map(e=>q(`li`,{"data-seq":e.seq,children:[q(J,{at:e.at}),` `,q(`b`,{children:e.type}),` `,e.message]},e.seq))}):q(`p`,{class:`muted`,children:`No progress updates.`})}var tc=`# Schedules (JOBS.md), written against the contract's SDL (../shared/contract/schema.graphql);
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
`,nc=cn(tc,`Schedules`),rc=cn(tc,`Schedule`),ic=cn(tc,`PauseSchedule`),ac=cn(tc,`ResumeSchedule`),oc=cn(tc,`TriggerSchedule`),sc=cn(tc,`BackfillSchedule`),cc=[`BUFFER_ALL`,`BUFFER_ONE`,`SKIP`,`ALLOW_ALL`,`CANCEL_OTHER`,`TERMINATE_OTHER`];function lc({schedule:e,onDone:t}){let[n,r]=I(``),[i,a]=I(``),[o,s]=I(`BUFFER_ALL`),[c,l]=I(null),[u,d]=I(null);return q(`form`,{class:`backfill row`,onSubmit:async r=>{if(r.preventDefault(),d(null),l(null),!n||!i)return d(Error(`Give both ends of the range.`));try{let r=(await K(sc,{input:{id:e.id,from:new Date(n).toISOString(),to:new Date(i).toISOString(),overlap:o}})).backfillSchedule;r.errors.length?d(Error(r.errors.map(e=>e.message).join(`; `))):(l(`${r.runs.length} runs started (batch ${r.batchId??`—`})`),t())}catch(e){d(e)}},children:[q(`label`,{children:[`From`,q(`input`,{type:`datetime-local`,name:`from`,value:n,onInput:e=>r(e.currentTarget.value)})]}),q(`label`,{children:[`To`,q(`input`,{type:`datetime-local`,name:`to`,value:i,onInput:e=>a(e.currentTarget.value)})]}),q(`label`,{children:[`Overlap`,q(`select`,{name:`overlap`,value:o,onChange:e=>s(e.currentTarget.value),children:cc.map(e=>q(`option`,{children:e},e))})]}),q(`button`,{type:`submit`,children:`Backfill`}),c&&q(`span`,{role:`status`,children:c}),q(Y,{error:u})]})}function uc({schedule:e,onDone:t}){let n=W(ln),[r,i]=I({...Wo,size:25});return q(b,{children:[q(`section`,{children:[q(`h2`,{children:`Recent fires`}),q(`ul`,{class:`fires`,children:e.recentFires.map(e=>q(`li`,{children:[q(J,{at:e.nominalTime}),` `,e.outcome,` `,e.run&&q(`a`,{href:`/runs/${encodeURIComponent(e.run.id)}`,children:[`run `,q(_t,{status:e.run.status})]}),` `,e.error&&q(`span`,{class:`err`,children:e.error})]},e.nominalTime))})]}),dn(`ADMIN`)&&q(`section`,{children:[q(`h2`,{children:`Backfill`}),q(lc,{schedule:e,onDone:t})]}),q(`section`,{children:[q(`h2`,{children:`Runs`}),q(hs,{state:r,setState:i,me:n?.name??``,fixedFilter:$(`schedule_id`,`eq`,e.id)})]})]})}var dc={"@hourly":`every hour`,"@daily":`every day at midnight`,"@weekly":`every Sunday at midnight`,"@monthly":`on the 1st of every month`};function fc(e){if(dc[e])return dc[e];let[t,n,r,i,a]=e.split(/\s+/);if([r,i,a].every(e=>e===`*`)){if(t===`*`&&n===`*`)return`every minute`;if(t.startsWith(`*/`)&&n===`*`)return`every ${t.slice(2)} minutes`;if(/^\d+$/.test(t)&&n===`*`)return`every hour at minute ${t}`;if(/^\d+$/.test(t)&&/^\d+$/.test(n))return`every day at ${n.padStart(2,`0`)}:${t.padStart(2,`0`)}`}return e}function pc({scheduleKey:e}){let t=Ro().query.get(`project`),[n,r]=I(null),[i,a]=I(null),[o,s]=I(null),[c,l]=I(0);L(()=>{sn().then(e=>r(e.has(`schedules`))).catch(s)},[]),L(()=>{n&&(e?K(rc,{key:e,project:t}).then(e=>e.schedule?[e.schedule]:[]):K(nc).then(e=>e.schedules.edges.map(e=>e.node))).then(a).catch(s)},[n,e,t,c]);let u=async(e,t,n)=>{s(null);try{let r=(await K(e,{input:{id:n}}))[t]?.errors??[];r.length&&s(Error(r.map(e=>e.message).join(`; `))),l(e=>e+1)}catch(e){s(e)}};return q(`main`,{class:`page`,children:[q(`h1`,{children:`Schedules`}),q(Y,{error:o}),n===!1&&q(St,{what:`schedules`}),i&&q(`div`,{class:`table-wrap`,children:[q(`table`,{children:[q(`thead`,{children:q(`tr`,{children:[q(`th`,{children:`Schedule`}),q(`th`,{children:`Workflow`}),q(`th`,{children:`State`}),q(`th`,{children:`When`}),q(`th`,{children:`Next`}),q(`th`,{children:`Last outcome`}),q(`th`,{})]})}),q(`tbody`,{children:i.map(e=>q(`tr`,{"data-key":e.key,"data-state":e.state,children:[q(`td`,{children:[q(`a`,{href:`/schedules/${encodeURIComponent(e.key)}?project=${encodeURIComponent(e.project.key)}`,children:e.key}),e.note&&q(`div`,{class:`muted`,children:e.note})]}),q(`td`,{children:q(`a`,{href:Ds(e.workflow.key,e.project.key),children:e.workflow.name})}),q(`td`,{children:e.state}),q(`td`,{title:e.cron,children:[fc(e.cron),` `,q(`span`,{class:`muted`,children:[`(`,e.timezone,`)`]})]}),q(`td`,{children:e.nextFireTimes.map(e=>q(`div`,{children:q(J,{at:e})},e))}),q(`td`,{children:[e.recentFires[0]?.outcome??`—`,e.recentFires[0]?.run&&q(_t,{status:e.recentFires[0].run.status})]}),q(`td`,{children:dn(`OPERATOR`)&&q(b,{children:[e.state===`PAUSED`?q(`button`,{type:`button`,class:`small`,onClick:()=>u(ac,`resumeSchedule`,e.id),children:`Resume`}):q(`button`,{type:`button`,class:`small`,onClick:()=>u(ic,`pauseSchedule`,e.id),children:`Pause`}),q(`button`,{type:`button`,class:`small`,onClick:()=>u(oc,`triggerSchedule`,e.id),children:`Trigger now`})]})})]},e.id))})]}),i.length===0&&q(`p`,{class:`empty`,children:`No schedules.`})]}),e&&i?.[0]&&q(uc,{schedule:i[0],onDone:()=>l(e=>e+1)})]})}function mc(){let e=W(Ye),[t,n]=I(``);return q(`main`,{class:`signin`,children:q(`form`,{class:`card`,onSubmit:e=>{e.preventDefault(),t.trim()&&qe(t.trim())},children:[q(`h1`,{children:`flowdeck`}),q(`p`,{class:`muted`,children:`Sign in with an API key. It is kept in this tab only.`}),e&&q(`div`,{class:`error-box`,role:`alert`,children:e}),q(`label`,{children:[`API key`,q(`input`,{name:`key`,type:`password`,autoComplete:`off`,autoFocus:!0,value:t,onInput:e=>n(e.currentTarget.value)})]}),q(`button`,{type:`submit`,class:`primary`,children:`Sign in`})]})})}function hc(){let{path:e}=Ro(),t;return(t=/^\/runs\/([^/]+)$/.exec(e))?q(Ls,{id:decodeURIComponent(t[1])}):e===`/workflows`?q(Os,{}):(t=/^\/workflows\/([^/]+)$/.exec(e))?q(As,{workflowKey:decodeURIComponent(t[1])}):e===`/schedules`?q(pc,{}):(t=/^\/schedules\/([^/]+)$/.exec(e))?q(pc,{scheduleKey:decodeURIComponent(t[1])}):e===`/jobs`?q(On,{}):e===`/`?q(ms,{}):q(`p`,{class:`page`,children:[`No page here. `,q(`a`,{href:`/`,children:`Runs`})]})}function gc(){let e=W(ln),t=W(ot),{path:n}=Ro(),r=(e,t,n)=>q(`a`,{href:e,class:n?`active`:``,"aria-current":n?`page`:void 0,children:t});return q(`header`,{class:`topbar`,children:[q(`a`,{href:`/`,class:`brand`,children:`flowdeck`}),q(`nav`,{children:[r(`/`,`Runs`,n===`/`||n.startsWith(`/runs/`)),r(`/workflows`,`Workflows`,n.startsWith(`/workflows`)),r(`/schedules`,`Schedules`,n.startsWith(`/schedules`)),r(`/jobs`,`Jobs`,n===`/jobs`)]}),q(`span`,{class:`spacer`}),q(`button`,{type:`button`,class:`small ghost`,onClick:()=>ot.set(!t),title:`Times in UTC or local time`,children:t?`UTC`:`Local`}),e&&q(`span`,{class:`who`,title:e.project?`project ${e.project.key}`:`every project`,children:[e.name,` · `,e.role]}),q(`button`,{type:`button`,class:`small`,onClick:()=>Je(),children:`Sign out`})]})}function _c(){let e=W(G),t=W(ln);return L(()=>{pn()},[e]),e?t?q(`div`,{onClick:zo,children:[q(gc,{}),q(hc,{})]}):q(`p`,{class:`loading page`,children:`Signing in…`}):q(mc,{})}fn(),hn(),N(q(_c,{}),document.getElementById(`app`));