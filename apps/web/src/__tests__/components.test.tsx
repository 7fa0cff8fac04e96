import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { Filmstrip } from '../components/Filmstrip';
import { toOptionsInput, defaultAdvanced } from '../limits';
import { SignInPage } from '../pages/SignInPage';
import { parseRoute } from '../route';
import { forgetApiKey, readApiKey, saveApiKey } from '../session';

const frames = Array.from({ length: 49 }, (_, i) => ({
  id: `f${i}`,
  index: i,
  url: `http://gw/v1/files/${i}`,
}));

describe('the filmstrip', () => {
  it('has a labelled scrubber over every frame and marks the selected one', () => {
    const onScrub = vi.fn();
    render(<Filmstrip frames={frames} current={3} selectedId="f24" onScrub={onScrub} />);
    const slider = screen.getByRole('slider', { name: 'Frame 3 of 49' });
    expect(slider).toHaveProperty('max', '48');
    expect(screen.getAllByRole('button')).toHaveLength(49);
    expect(screen.getByRole('button', { name: 'Frame 24 (selected)' })).toBeTruthy();
    fireEvent.change(slider, { target: { value: '10' } });
    expect(onScrub).toHaveBeenCalledWith(10);
    fireEvent.click(screen.getByRole('button', { name: 'Frame 40' }));
    expect(onScrub).toHaveBeenCalledWith(40);
  });
});

describe('sign-in', () => {
  it('refuses what is not an API key and hands a key over', () => {
    const onSignIn = vi.fn();
    render(<SignInPage onSignIn={onSignIn} />);
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: 'hello' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert').textContent).toContain('starts with f2f_');
    expect(onSignIn).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('API key'), { target: { value: ' f2f_abc_def ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(onSignIn).toHaveBeenCalledWith('f2f_abc_def');
  });

  it('keeps the key in session storage only', () => {
    saveApiKey('f2f_a_b');
    expect(readApiKey()).toBe('f2f_a_b');
    expect(window.localStorage.length).toBe(0);
    forgetApiKey();
    expect(readApiKey()).toBeNull();
  });
});

describe('routes and options', () => {
  it('reads the screen from the hash', () => {
    expect(parseRoute('#/edits/abc%20d')).toEqual({ name: 'edit', id: 'abc d' });
    expect(parseRoute('#/history')).toEqual({ name: 'history' });
    expect(parseRoute('')).toEqual({ name: 'new' });
  });

  it("leaves empty options to the API's defaults", () => {
    expect(toOptionsInput(defaultAdvanced)).toEqual({
      seed: undefined,
      candidates: 1,
      selection: 'VLM',
      captionMode: 'TEMPORAL',
      outputWidth: undefined,
      outputHeight: undefined,
    });
    expect(
      toOptionsInput({ ...defaultAdvanced, seed: '7', outputWidth: '128', outputHeight: '96' }),
    ).toMatchObject({ seed: 7, outputWidth: 128, outputHeight: 96 });
  });
});
