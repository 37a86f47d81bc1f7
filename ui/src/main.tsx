import { render } from 'preact';
import { App } from './App';
import { askOtherTabsForKey, takeKeyFromFragment } from './session';
import './style.css';

takeKeyFromFragment();
askOtherTabsForKey();
render(<App />, document.getElementById('app')!);
