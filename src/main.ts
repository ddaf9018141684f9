import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { installConsoleApi } from './ui/console-api';

installConsoleApi();

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
